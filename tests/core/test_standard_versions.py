"""Standards in the station: versions stored by hash, safe fallback, re-explaining old verdicts."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from station.models import AuditEvent, Sku, StandardVersion
from station.services import inspections as svc
from station.services.explain import explain_inspection
from station.services.receiving import open_inspection, receive_parcel
from station.services.scanning import resolve_scan
from station.standards import load_registry
from tests.core.mini_standard import write_mini_standard
from tests.factories import make_rma


def _versions(db) -> int:
    with db.read() as session:
        return session.scalar(select(func.count()).select_from(StandardVersion))


def test_loaded_standards_are_stored_once_by_hash(db, tmp_path):
    extra = tmp_path / "standards"
    write_mini_standard(extra)
    first = load_registry(db, [extra])
    mini = first.registry.for_item("NORDKNIT", "minitest")
    assert mini.id == "mini-knit"
    assert mini.content_hash in first.new_versions
    stored = _versions(db)
    again = load_registry(db, [extra])
    assert again.new_versions == [] and _versions(db) == stored
    with db.read() as session:
        row = session.get(StandardVersion, mini.content_hash)
        assert row.standard_id == "mini-knit" and row.content["id"] == "mini-knit"
        assert session.scalar(
            select(func.count()).select_from(AuditEvent)
            .where(AuditEvent.action == "standard.version_loaded")
        ) == stored  # fmt: skip


def test_an_invalid_file_is_refused_and_the_stored_version_keeps_working(db, tmp_path):
    extra = tmp_path / "standards"
    path = write_mini_standard(extra)
    good = load_registry(db, [extra]).registry.for_item("NORDKNIT", "minitest")
    path.write_text(path.read_text(encoding="utf-8").replace("severity: major", "severity: huge"),
                    encoding="utf-8")  # fmt: skip

    reloaded = load_registry(db, [extra])

    assert any(problem.file == str(path) for problem in reloaded.problems)
    assert reloaded.fallbacks == {"mini-knit": good.content_hash}
    assert reloaded.registry.for_item("NORDKNIT", "minitest").content_hash == good.content_hash


def test_an_old_inspection_is_explained_with_the_version_it_used(db, tmp_path, actor, catalog):
    extra = tmp_path / "standards"
    write_mini_standard(extra, partial=80)
    registry = load_registry(db, [extra]).registry
    with db.write() as session:  # a category only the mini standard covers
        session.scalars(select(Sku).where(Sku.code == "SW-MERINO-M")).one().category = "minitest"
    make_rma(db, "RMA-9", skus=(("SW-MERINO-M", 1),))
    parcel = receive_parcel(db, actor, "RMA-9", "RMA-9")
    line = resolve_scan(db, "RMA-9").rma.lines[0]
    inspection = open_inspection(db, actor, registry, parcel.id, line.id)
    assert inspection.standard_id == "mini-knit"
    svc.record_answer(db, actor, registry, inspection.id, "condition", "worn")
    svc.record_measurement(db, actor, inspection.id, "chest", 52.0, "cm")
    verdict = svc.finalize_inspection(db, actor, registry, inspection.id)
    assert (verdict.grade, verdict.refund_percent) == ("C", 80)

    write_mini_standard(extra, partial=60)  # the seller renegotiates the tier
    newer = load_registry(db, [extra]).registry
    assert newer.for_item("NORDKNIT", "minitest").content_hash != inspection.standard_hash

    explanation = explain_inspection(db, newer, inspection.id)
    assert explanation.standard_hash == inspection.standard_hash
    assert explanation.evaluation.refund.percent == 80  # judged by the old version
    assert explanation.agrees_with_record is True
    assert explanation.evaluation.trace[0].rule == "grading:worn"


def test_rules_explain_cli_for_a_hypothetical_case(tmp_path, capsys):
    from main import cli

    data = tmp_path / "data"
    data.mkdir()
    extra = tmp_path / "standards"
    write_mini_standard(extra)
    (data / "settings.toml").write_text(f'standards_dirs = ["{extra}"]\n', encoding="utf-8")
    facts = tmp_path / "case.json"
    facts.write_text(json.dumps({
        "answers": {"condition": "new"}, "measurements": {"chest": 57.0},
        "defects": [{"code": "HOLE", "zone": "A"}], "sku_spec": {"measurements": {"chest_width_cm": 52}},
    }), encoding="utf-8")  # fmt: skip

    code = cli(["rules", "explain", "--standard", "mini-knit", "--facts", str(facts),
                "--data-dir", str(data), "--json"])  # fmt: skip
    result = json.loads(capsys.readouterr().out)["result"]
    assert code == 0
    assert (result["grade"], result["disposition"], result["responsibility"]) == (
        "D", "repair", "manufacturing")  # fmt: skip
    [chest] = result["measurements"]
    assert chest["expected"] == 52 and chest["passed"] is False  # 57 vs 52 ± 5 %
    assert result["trace"][0]["rule"] == "grading:hole"

    facts.write_text('{"answers": {"condition": "new"}, "colour": 3}', encoding="utf-8")
    code = cli(["rules", "explain", "--standard", "mini-knit", "--facts", str(facts),
                "--data-dir", str(data), "--json"])  # fmt: skip
    error = json.loads(capsys.readouterr().out)["error"]
    assert code == 1 and str(facts) in error and "colour" in error


def test_a_site_folder_overrides_a_shipped_standard_by_id(db, tmp_path):
    from inspection_rules.loader import SHIPPED_DIR, load_standards

    shipped = load_standards([SHIPPED_DIR]).standards["knitwear"]
    site = tmp_path / "site"
    site.mkdir()
    text = (SHIPPED_DIR / "knitwear.yaml").read_text(encoding="utf-8")
    site_text = text.replace(f'version: "{shipped.version}"', 'version: "9.9.9-site"')
    site_text = site_text.replace("tolerance_g: 40", "tolerance_g: 25")  # the site's own scales
    (site / "knitwear.yaml").write_text(site_text, encoding="utf-8")
    result = load_standards([SHIPPED_DIR, site])
    assert result.ok, result.problems
    assert result.standards["knitwear"].version == "9.9.9-site"
    assert [override[0] for override in result.overrides] == ["knitwear"]
    # The shipped seller standard now builds on the site's knitwear base.
    nordknit = result.standards["nordknit-knitwear"]
    assert nordknit.spec.weight.tolerance_g == 25
    shipped_nordknit = load_standards([SHIPPED_DIR]).standards["nordknit-knitwear"]
    assert nordknit.content_hash != shipped_nordknit.content_hash
    # The same id twice in one folder is still an error.
    (site / "copy.yaml").write_text(
        (site / "knitwear.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert any("already used" in p.message for p in load_standards([SHIPPED_DIR, site]).problems)
