"""Per-region model maps: the `[regions.NAME]` tables of a provider file.

A provider's regions are separate platforms more often than mirrors. Doubao's `--region intl` is
BytePlus ModelArk, which serves `seed-2-0-pro-260328` and not Volcengine's `doubao-seed-2-1-pro-260915`:
one `[models]` table for every region made `fix --region intl` write ids the region answers with
"model not found". A region table either brings the region's own model map (which replaces
`[models]` there) or says which of the mapped ids no source confirms for that region; offramp then
says so wherever it maps a model to one of them (OFR201/OFR202 and `fix`'s summary), instead of
writing an unconfirmed id as if it were a fact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Mapping, Optional, Tuple

from offramp.catalog import CatalogError

_KEYS = {"models", "no-equivalent", "unconfirmed", "note", "source", "date"}

SourceReader = Callable[[Mapping[str, Any], str, bool], Tuple[Tuple[str, ...], str]]


@dataclass(frozen=True)
class RegionMap:
    """What one region serves differently from the provider's `[models]`."""

    region: str
    # The region's own model map; when given it replaces [models] in that region (families left out
    # go through the fallbacks, as in [models]).
    models: Optional[Mapping[str, str]] = None
    no_equivalent: Mapping[str, str] = field(default_factory=dict)
    # Families whose id (in this region's map) no primary source confirmed for the region.
    unconfirmed: Tuple[str, ...] = ()
    note: str = ""  # why they are unconfirmed, said with every use
    source: Tuple[str, ...] = ()
    date: str = ""


def parse_regions(
    data: Mapping[str, Any],
    where: str,
    regions: Tuple[str, ...],
    families: Tuple[str, ...],
    model_id: Callable[[str], bool],
    sources: SourceReader,
    required: bool,
) -> Dict[str, RegionMap]:
    """`[regions.NAME]` tables: NAME is a `[base-url]` region; strict like the rest of the file."""
    raw = data.get("regions", {})
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: `[regions]` must be a table of region tables")
    out: Dict[str, RegionMap] = {}
    for region, table in raw.items():
        w = f"{where} [regions.{region}]"
        if region not in regions:
            raise CatalogError(f"{w}: not a [base-url] region ({', '.join(regions)})")
        if not isinstance(table, dict):
            raise CatalogError(f"{w}: must be a table")
        unknown = set(table) - _KEYS
        if unknown:
            raise CatalogError(f"{w}: unknown key(s) {', '.join(sorted(unknown))}")
        src, date = sources(table, w, required)
        models = None
        if "models" in table:
            models = _family_table(table["models"], f"{w}.models", families, sources, required)
            bad = [f"{k} = {v!r}" for k, v in models.items() if not isinstance(v, str) or not model_id(v)]
            if bad:
                raise CatalogError(f"{w}.models: not a model id: {', '.join(bad)}")
        gaps = _family_table(table.get("no-equivalent", {}), f"{w}.no-equivalent", families, sources, required)
        if not all(isinstance(v, str) and v.strip() for v in gaps.values()):
            raise CatalogError(f"{w}.no-equivalent: every family needs a reason string")
        both = sorted(set(gaps) & set(models or {}))
        if both:
            raise CatalogError(f"{w}: {', '.join(both)} both mapped and listed in no-equivalent")
        unconfirmed = table.get("unconfirmed", [])
        if unconfirmed == "all":
            unconfirmed = list(families)
        if not isinstance(unconfirmed, list) or not all(f in families for f in unconfirmed):
            raise CatalogError(f'{w}.unconfirmed: must be "all" or a list of model families')
        note = table.get("note", "")
        if not isinstance(note, str) or (unconfirmed and not note.strip()):
            raise CatalogError(f"{w}.note: `unconfirmed` needs a sentence saying why the ids are unconfirmed")
        out[region] = RegionMap(region, models, gaps, tuple(unconfirmed), note.strip(), src, date)
    return out


def _family_table(
    raw: Any, where: str, families: Tuple[str, ...], sources: SourceReader, required: bool
) -> Dict[str, Any]:
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: must be a table of family = value")
    unknown = set(raw) - set(families) - {"source", "date"}
    if unknown:
        raise CatalogError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    if raw:
        sources(raw, where, required)
    return {k: v for k, v in raw.items() if k not in ("source", "date")}


@dataclass(frozen=True)
class RegionalMaps:
    """A provider's model map, no-equivalent list and unconfirmed ids as one region sees them."""

    models: Dict[str, str]
    no_equivalent: Dict[str, str]
    unconfirmed: Dict[str, str]  # model id -> why it is unconfirmed in this region


def regional_maps(
    region: str, models: Mapping[str, str], no_equivalent: Mapping[str, str], regions: Mapping[str, RegionMap]
) -> RegionalMaps:
    """`[models]` / `[no-equivalent]` with the region's table applied."""
    spec = regions.get(region)
    if spec is None:
        return RegionalMaps(dict(models), dict(no_equivalent), {})
    mapped = dict(spec.models) if spec.models is not None else dict(models)
    gaps = {k: v for k, v in no_equivalent.items() if k not in mapped}
    gaps.update(spec.no_equivalent)
    for family in spec.no_equivalent:
        mapped.pop(family, None)
    unconfirmed = {mapped[f]: spec.note for f in spec.unconfirmed if f in mapped}
    return RegionalMaps(mapped, gaps, unconfirmed)
