"""Settings of the load benchmark's server: the production settings (`concierge.settings`, configured by environment
variables), with one change: collected static files go to var/load-static instead of the shared staticfiles/."""
from concierge.settings import *  # noqa: F401,F403
from concierge.settings import VAR_DIR

STATIC_ROOT = VAR_DIR / "load-static"
