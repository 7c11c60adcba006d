"""The kernel's key ring (:mod:`tocsin.store`), offered again to the web's plug-ins."""

from tocsin.store import IdentityKeyError as IdentityKeyError
from tocsin.store import KeyRing as KeyRing
from tocsin.store import Sealed as Sealed
from tocsin.store import load_key_ring as load_key_ring
from tocsin.store import save_key_ring as save_key_ring
