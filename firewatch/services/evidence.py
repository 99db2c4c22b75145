"""Evidence packs as a service: gather each listing's record from the store, sign and write the pack.

`export_evidence_pack` is what `firewatch export evidence`, the web app and the demo call:
latest capture, assessment, snapshot history, review decisions, sources (provenance) and
enforcement-assistance replies per listing, signed with
the installation key (`evidence.key_dir`, made on first use), timestamped when
`evidence.tsa_url` is set, with the Chinese extraction record rendered by Chromium.
"""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any, Callable

from alerts.evidence_pack import PackItem, write_pack
from alerts.signing import KEY_FILE, installation_key
from alerts.timestamp import rfc3161_timestamper
from firewatch.core.datapaths import resolve_path
from firewatch.core.exceptions import NotFoundError
from firewatch.core.settings import Settings
from firewatch.services.ocr import image_text_files


def default_operator() -> str:
    """The OS user running the command (who creates and exports a pack)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        return "unknown"


def evidence_item(store, key: tuple[str, str], data_dir: Path | None = None):
    """The `PackItem` of one listing: its latest capture (its folder found in the data folder
    `data_dir`, default the store's), assessment, history and decisions."""
    listing = store.listings.get_listing(key)
    if listing is None:
        raise NotFoundError(f"no listing {key[0]}:{key[1]} in the store")
    evidence = store.evidence.latest_evidence(key)
    if evidence is None:
        raise NotFoundError(f"{key[0]}:{key[1]} has no captured evidence yet; run `firewatch process` "
                            "(it captures flagged listings)")
    assessment = store.assessments.get_assessment(key)
    return PackItem(listing=listing.to_dict(), assessment=assessment.to_dict() if assessment else {},
                    evidence=evidence,
                    directory=resolve_path(evidence.directory, data_dir or getattr(store, "data_dir", None)), snapshots=store.listings.snapshots(key),
                    decisions=store.reviews.decisions(key), sources=store.sources.sources_of(key),
                    assistance=store.assist.replies_for(key),
                    extra_files=image_text_files(store, key, data_dir or getattr(store, "data_dir", None)))


def _decision_events(items) -> list[dict[str, Any]]:
    events = []
    for item in items:
        for d in item.decisions:
            events.append({"at": d.at, "actor": f"reviewer:{d.reviewer}", "action": f"review:{d.verdict}",
                           "subject": item.folder, "sha256": "", "detail": {"note": d.note}})
    return sorted(events, key=lambda e: e["at"])


def export_evidence_pack(settings: Settings, store, keys: list[tuple[str, str]], out_path: str | Path,
                         operator: str | None = None, case: str = "",
                         progress: Callable[[int, int, str], None] | None = None) -> dict[str, Any]:
    """Write a signed evidence pack of `keys` to `out_path`; returns its manifest. `progress(done,
    total, stage)` follows the packing (`alerts.evidence_pack.write_pack`)."""
    items = [evidence_item(store, key, settings.data_dir) for key in keys]
    ev = settings.evidence
    timestamper = None
    if ev.tsa_url:
        timestamper = rfc3161_timestamper(ev.tsa_url, ev.tsa_timeout)
    return write_pack(Path(out_path), items, packed_by="firewatch", operator=operator or default_operator(),
                      custody_events=_decision_events(items), signer=installation_key(settings.key_dir),
                      timestamper=timestamper, tsa_url=ev.tsa_url,
                      chromium=settings.capture.chromium, time_source=ev.time_source,
                      case=case, progress=progress)


def local_fingerprint(settings: Settings) -> str:
    """This installation's signing-key fingerprint, or '' when it has no key yet (none is made)."""
    if not (settings.key_dir / KEY_FILE).exists():
        return ""
    return installation_key(settings.key_dir).fingerprint
