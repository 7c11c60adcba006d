"""Live monitoring: connectors that keep the picture current, and the watch that runs them.

The capability owns the connectors to the sources monitors use (UCDP GED and its monthly
Candidate releases, ACLED, GDELT 2.0, ReliefWeb), what each has fetched so far (its sync
state: fetch only what is new), the polite HTTP client they share (retries with back-off,
rate limits), and the watch cycle (fetch → import → detect → alert) that `tocsin monitor
watch` runs on a schedule under a lock no two watches hold at once. It imports events and
speech items through the events and speech capabilities' ``__all__`` and raises alerts
through the alerts capability's.
"""

# Names are loaded on first use: the tables are imported by every migration run and must
# not load httpx, the events capability or pandas with them.
import lazy_loader

__getattr__, __dir__, __all__ = lazy_loader.attach_stub(__name__, __file__)
