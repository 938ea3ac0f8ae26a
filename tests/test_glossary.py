"""Every term the screens explain is in the glossary, said once."""
import re
from pathlib import Path

from cl_metrics import glossary

ROOT = Path(__file__).resolve().parent.parent


def test_every_explained_term_is_in_the_glossary():
    used = set()
    for source in [*ROOT.glob("pages/*.py"), *ROOT.glob("cl_metrics/*.py")]:
        for call in re.findall(r"glossary\.explain\(([^)]*)\)", source.read_text()):
            used |= set(re.findall(r'"([a-z_0-9]+)"', call))
    used.discard("status")  # pages pass a card's status: the three below
    assert used and used <= set(glossary.terms()), used - set(glossary.terms())
    assert {"established", "prototype", "candidate"} <= set(glossary.terms())


def test_the_issue_s_terms_are_explained_in_plain_words():
    terms = glossary.terms()
    for key in ("ssda903", "oc3", "uasc", "prototype", "suppressed", "fewer_than", "secondary_suppression",
                "whose_voice", "statistical_neighbours", "quartile", "neet", "eet", "staying_put", "rounding"):
        assert len(terms[key].meaning.split()) >= 4, key
    assert len({t.term for t in terms.values()}) == len(terms)  # no term said twice
    assert "**UASC**: Unaccompanied" in glossary.explain("uasc")
