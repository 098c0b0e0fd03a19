"""Who may read what: the same API keys as intake, narrowed by the sites a key is scoped to.

A key belongs to one provider and never sees another's data. A key scoped to sites sees only
those sites (asking for any other is refused); a key with no site list - the provider-wide
governance key - sees every site of its provider. The role does not widen or narrow this.
"""

from __future__ import annotations

from dataclasses import dataclass


class AccessDenied(Exception):
    """The key may not read the site asked for."""


@dataclass(frozen=True)
class ReadFilter:
    """What a query may return: one provider, optionally some sites and a region."""

    provider_id: str
    sites: frozenset[str] | None  # None: every site of the provider
    region: str | None = None


@dataclass(frozen=True)
class Scope:
    """The reach of an API key."""

    provider_id: str
    sites: frozenset[str] | None  # None: provider-wide

    def sees(self, site_id: str) -> bool:
        """True when the key may read ``site_id`` (of its own provider)."""
        return self.sites is None or site_id in self.sites

    def narrow(self, *, site: str | None = None, region: str | None = None) -> ReadFilter:
        """The filter for a request; raises AccessDenied for a site outside the scope."""
        if site is not None:
            if not self.sees(site):
                raise AccessDenied(f"this API key may not read site {site!r}")
            return ReadFilter(self.provider_id, frozenset({site}), region)
        return ReadFilter(self.provider_id, self.sites, region)
