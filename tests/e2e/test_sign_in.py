"""Signing in at the bench, typed through the X server as a person and as a fast typist."""

from __future__ import annotations

from tests.e2e.screen import blind_prompt_pixels
from tests.e2e.station import SIGN_IN_TITLE, Snapshot, Station


def _password_focused(snapshot: Snapshot) -> bool:
    focus = snapshot.get("focus") or {}
    return bool(focus.get("password")) and SIGN_IN_TITLE in (focus.get("window") or "")


def test_enter_in_the_user_field_moves_to_the_pin_without_spending_an_attempt(
    station: Station,
) -> None:
    station.focus_window(SIGN_IN_TITLE)
    station.x.type("grader1", "Enter")
    station.wait(_password_focused, "Enter in the user field to move the focus to the PIN")
    station.x.type(station.pins["grader1"], "Enter")
    station.wait(lambda s: s.get("user") == "grader1" and not s.get("dialogs"),
                 "grader1 signed in and the sign-in dialog closed")  # fmt: skip

    failed = station.query("SELECT count(*) FROM audit_events WHERE action = 'user.sign_in_failed'")
    signed = station.query("SELECT count(*) FROM audit_events WHERE action = 'user.signed_in'")
    station.expect(failed[0][0] == 0,
                   f"no attempt spent by Enter in the user field; the audit has {failed[0][0]} "
                   "failed sign-in(s)")  # fmt: skip
    station.expect(signed[0][0] == 1, f"one sign-in in the audit, found {signed[0][0]}")


def test_pin_typed_at_scanner_speed_while_signed_out_is_never_shown_as_a_scan(
    station: Station,
) -> None:
    pin = station.pins["grader1"]
    station.focus_window(SIGN_IN_TITLE)
    station.x.type("grader1", "Tab")
    station.wait(_password_focused, "Tab in the user field to move the focus to the PIN")
    seen = station.now()["seq"]
    station.x.scan(pin)  # a fast typist: keys as close together as a scanner's, then Enter

    def handled(snapshot: Snapshot) -> bool:
        """Signed in with it, or taken for a scan: either way, the PIN has been dealt with."""
        return snapshot.get("user") == "grader1" or snapshot.get("state") != "idle" or bool(
            (snapshot.get("message") or {}).get("text"))  # fmt: skip

    station.wait(lambda s: s["seq"] > seen and handled(s), "the fast PIN dealt with")
    shot = station.screenshot("after-fast-pin")
    shown = [(s["state"], s["message"]["text"], s["scan_field"]) for s in station.since(seen)
             if s.get("state") == "blind_prompt" or pin in s["message"]["text"]
             or pin in (s.get("scan_field") or "")]  # fmt: skip
    station.expect(not shown, f"the PIN never shown as a scan, but the bench showed {shown}")
    station.expect(blind_prompt_pixels(shot) == 0, f"no blind-return orange on the screen ({shot})")


def test_ctrl_u_switches_user_while_the_scan_field_has_the_focus(station: Station) -> None:
    """On X11 a line edit claims Ctrl+U (delete the line) before any window shortcut: the
    scan field, which has the focus whenever the bench is idle, must give it up."""
    station.sign_in()
    station.wait(lambda s: (s.get("focus") or {}).get("name") == "scanField",
                 "the scan field focused on the idle bench")  # fmt: skip
    station.x.type("RMA-NK")  # something typed there: Ctrl+U must not just delete it
    station.wait(lambda s: s.get("scan_field") == "RMA-NK", "the typed text in the scan field")
    station.x.key("u", "ctrl")
    station.wait(lambda s: any(SIGN_IN_TITLE in d["title"] for d in s.get("dialogs") or []),
                 "Ctrl+U in the scan field to open the sign-in dialog")  # fmt: skip
