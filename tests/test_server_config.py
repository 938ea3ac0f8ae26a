"""The server settings in .streamlit/config.toml are options this Streamlit knows: a renamed option
would be ignored with only a warning, and a workshop of 40 phones would wait seconds again."""
from __future__ import annotations

import tomllib
from pathlib import Path

from streamlit import config

CONFIG = Path(__file__).resolve().parent.parent / ".streamlit" / "config.toml"


def test_every_server_setting_is_a_streamlit_option():
    with open(CONFIG, "rb") as fh:
        settings = tomllib.load(fh)
    options = config.get_config_options()
    named = [f"{section}.{name}" for section, values in settings.items() for name in values]
    assert named and all(option in options for option in named), [o for o in named if o not in options]
