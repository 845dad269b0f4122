"""The live scale readout follows what is on the pan, without recording anything."""

from __future__ import annotations

from devices.scale import Weight
from ui.widgets.scale_readout import ScaleReadout


def test_readout_polls_the_scale_and_shows_its_state(qtbot, vm, context):
    scale = context.devices.simulated_scale
    assert scale is not None
    scale.place(512.0)
    readout = ScaleReadout(vm, interval_ms=20)
    qtbot.addWidget(readout)
    readout.show()
    qtbot.waitUntil(lambda: "g</b>" in readout.text() and "stable" in readout.text())
    assert "51" in readout.text()  # 512 g ± simulator noise

    readout.show_weight(Weight(30_500.0, False, "scale", status="overload"))
    # In the theme's error colour (ui/theme.py styles widgets by their "state").
    assert "OVERLOAD" in readout.text() and readout.property("state") == "error"
    assert " g" not in readout.text()  # a fault shows no weight (not "0.0 g", nor 30.5 kg)
    readout.show_weight(Weight(12.0, False, "scale"))
    assert "settling" in readout.text() and readout.property("state") == "warning"
    readout.hide()
    assert not readout._timer.isActive()  # no polling while the screen is not shown
