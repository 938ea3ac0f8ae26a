"""Staff sign-in: the council's identity provider (OpenID Connect, e.g. Microsoft Entra ID) or a local
account; who you are signed in as and what your role lets you do; and how to set sign-in up."""
import streamlit as st

from cl_metrics import access
from cl_metrics.access import accounts
from pages.common import current, plain, said_here, say, secrets_section

ctx = current()
state = st.session_state
st.title("Staff sign-in")


def providers() -> dict[str, str]:
    """The identity providers in secrets' [auth]: the default one, and any named ones ([auth.NAME])."""
    auth = secrets_section("auth")
    found = {"default": "your council account"} if "client_id" in auth else {}
    for name, section in auth.items():
        if isinstance(section, dict) or hasattr(section, "keys"):
            found[name] = str(dict(section).get("label", name))
    return found


def local_sign_in() -> None:
    """Form callback: check a local account's password (argon2); log the refusal, never the password."""
    name = state.get("sign_in_name", "").strip()
    try:
        found = accounts.verify(name, state.get("sign_in_password", ""))
    except access.AccessDenied as exc:
        say("sign_in_local", "error", plain(exc))
        return
    finally:
        state["sign_in_password"] = ""
    if found is None:
        say("sign_in_local", "error", "That name and password do not match an account.")
        ctx.log("sign-in refused", f"local account {name!r}")
        return
    state["_local_account"] = found
    state["_staff_cookie"] = accounts.session_token(found.name)  # a reload keeps this sign-in
    state.pop("_signed_out", None)


actor = ctx.actor
if actor.signed_in:
    st.success(f"You are signed in as {plain(actor.name)}, with the {access.label(actor.role).lower()} role.")
elif actor.how == "open demo":
    st.info("This is an open demo on made-up data: no sign-in is needed, and every page is open.")
else:
    st.info(f"You are not signed in. Without signing in you have the {access.label(actor.role).lower()} role "
            "on this store.")
st.markdown("**What your role lets you do:**")
st.markdown("\n".join(f"- {words}" for action, words in access.roles().actions.items() if actor.may(action)))

if actor.signed_in:
    st.stop()
if ctx.setup.identity_provider:
    st.subheader("With your council account")
    for provider, name in providers().items():
        if st.button(f"Sign in with {name}", key=f"sign_in_{provider}", type="primary"):
            st.login(None if provider == "default" else provider)
if ctx.setup.local_accounts:
    st.subheader("With a local account")
    with st.form("sign_in_local"):
        st.text_input("Name", key="sign_in_name", max_chars=64)
        st.text_input("Password", type="password", key="sign_in_password")
        st.form_submit_button("Sign in", on_click=local_sign_in)
    said_here("sign_in_local")
if not ctx.setup.configured:
    st.subheader("Setting up sign-in")
    st.markdown(
        "No sign-in is set up on this installation. A store of real data then opens in workshop mode only, "
        "for everyone. To give staff their roles, do one of these and restart the app:\n\n"
        "- **Your council's identity provider** (Microsoft Entra ID, or any OpenID Connect provider): add an "
        "`[auth]` section to `.streamlit/secrets.toml` with `redirect_uri`, `cookie_secret`, `client_id`, "
        "`client_secret` and `server_metadata_url`, and map e-mails or groups to roles in `[access.emails]` "
        "and `[access.groups]`.\n"
        "- **Local accounts**, for a laptop without internet: `python -m cl_metrics staff add NAME --role "
        "facilitator` on the laptop, which asks for a password and keeps only its hash.\n\n"
        "The README's 'Sign-in' section has an example of each.")
