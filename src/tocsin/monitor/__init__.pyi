"""Type stub of :mod:`tocsin.monitor`: the names it offers, loaded on first use."""

# The watch: _watch, _state, _status. The connectors and their sync state: _http, _store,
# _sync, _connectors and the _connector_* modules.
from ._connector_acled import AcledConnector
from ._connector_base import SPEECH_FORMAT, Batch, Connector, FetchedFile, SourceDataError
from ._connector_gdelt import GdeltConnector
from ._connector_reliefweb import ReliefWebConnector
from ._connector_ucdp import UcdpCandidateConnector, UcdpGedConnector
from ._connectors import CONNECTORS, SyncResult, get_connector, sync_source, sync_sources
from ._http import SECRET_PARAMETERS, SourceClient, SourceError, redact_url
from ._state import WatchLock, WatchRow, WatchState, hold_watch_lock, read_watch_state
from ._status import SourceFreshness, monitor_status, session_status, source_freshness
from ._store import (
    SyncState,
    SyncStateRow,
    get_sync_state,
    list_sync_states,
    record_sync_failure,
    record_sync_success,
)
from ._sync import EXPECTED_UPDATE_INTERVALS, StaleSource, expected_update_interval, stale_sources
from ._watch import STALE_DATA_RULE, WatchCycle, ensure_stale_data_rule, run_watch_cycle

__all__ = [
    # the watch
    "STALE_DATA_RULE",
    "SourceFreshness",
    "WatchCycle",
    "WatchLock",
    "WatchRow",
    "WatchState",
    "ensure_stale_data_rule",
    "hold_watch_lock",
    "monitor_status",
    "read_watch_state",
    "run_watch_cycle",
    "session_status",
    "source_freshness",
    # the connectors
    "CONNECTORS",
    "EXPECTED_UPDATE_INTERVALS",
    "SECRET_PARAMETERS",
    "SPEECH_FORMAT",
    "AcledConnector",
    "Batch",
    "Connector",
    "FetchedFile",
    "GdeltConnector",
    "ReliefWebConnector",
    "SourceClient",
    "SourceDataError",
    "SourceError",
    "StaleSource",
    "SyncResult",
    "SyncState",
    "SyncStateRow",
    "UcdpCandidateConnector",
    "UcdpGedConnector",
    "expected_update_interval",
    "get_connector",
    "get_sync_state",
    "list_sync_states",
    "record_sync_failure",
    "record_sync_success",
    "redact_url",
    "stale_sources",
    "sync_source",
    "sync_sources",
]
