from station.codes import GS, normalize_code, strip_aim_prefix


def test_normalize_trims_folds_and_removes_spaces():
    assert normalize_code("  rma-nk 000 123\t\n") == "RMA-NK000123"
    assert normalize_code("1z\u00a0999\u3000aa1") == "1Z999AA1"


def test_gs1_separator_survives_normalisation():
    assert normalize_code(f"]C1420 90210{GS}9400 1234") == f"42090210{GS}94001234"


def test_aim_prefix_is_reported_and_dropped():
    assert strip_aim_prefix("]E04006381333931") == ("]E0", "4006381333931")
    assert strip_aim_prefix("4006381333931") == (None, "4006381333931")
