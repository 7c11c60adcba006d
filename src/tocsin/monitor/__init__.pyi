"""Type stub of :mod:`tocsin.monitor`: the names it offers, loaded on first use."""
