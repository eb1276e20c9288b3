"""adb specifics, through the real adb client against fake phones: listing, selection,
authorization, a phone vanishing mid-command, devices without shell v2."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from edgeocr.device import (
    AdbDevice,
    AmbiguousDevice,
    DeviceError,
    DeviceNotFound,
    DeviceOffline,
    DeviceUnauthorized,
    LocalDevice,
    connect,
    get_device,
    list_adb_devices,
    list_devices,
)
from edgeocr.device.adb import parse_adb_devices
from edgeocr.errors import InputError
from tests.device.conftest import free_port
from tests.device.fake_adbd import FakeAdbDevice

MakePhone = Callable[..., FakeAdbDevice]


def test_parse_adb_devices_in_every_state() -> None:
    text = (
        "* daemon started successfully\n"
        "List of devices attached\n"
        "R58M123ABC             device usb:1-1 product:a52qnsxx model:SM_A525F device:a52q transport_id:3\n"
        "192.168.1.7:5555       offline transport_id:4\n"
        "emulator-5554          unauthorized transport_id:5\n"
        "0123456789ABCDEF       no permissions (user in plugdev group; are your udev rules wrong?); "
        "see [http://developer.android.com/tools/device.html] usb:1-2 transport_id:6\n\n"
    )
    listings = parse_adb_devices(text)
    assert [(l.serial, l.state) for l in listings] == [
        ("R58M123ABC", "device"),
        ("192.168.1.7:5555", "offline"),
        ("emulator-5554", "unauthorized"),
        ("0123456789ABCDEF", "no permissions"),
    ]
    assert listings[0].attrs == {"usb": "1-1", "product": "a52qnsxx", "model": "SM_A525F", "device": "a52q", "transport_id": "3"}
    assert listings[3].attrs == {"usb": "1-2", "transport_id": "6"}
    with pytest.raises(DeviceOffline):
        listings[1].require_ready()
    for listing in listings[2:]:
        with pytest.raises(DeviceUnauthorized, match="Allow USB debugging"):
            listing.require_ready()


def test_list_adb_devices_shows_the_phone(phone: FakeAdbDevice) -> None:
    (listing,) = [l for l in list_adb_devices() if l.serial == phone.serial]
    assert listing.state == "device"
    assert listing.attrs["model"] == "EdgeOCR_Fake_Phone" and listing.attrs["product"] == "edgeocr_fake"


def test_shell_goes_through_shell_v2(phone: FakeAdbDevice) -> None:
    AdbDevice(phone.serial).shell("true", check=True)
    service = [s for s in phone.services if s.startswith("shell")][-1]
    assert service.startswith("shell,v2,") and ",raw:" in service  # exit codes, separate stderr, no pty


def test_phone_without_shell_v2_still_reports_exit_codes(make_phone: MakePhone) -> None:
    old = make_phone(features=("cmd",))
    r = AdbDevice(old.serial).shell("echo out; echo err >&2; exit 4")
    assert r.exit_code == 4 and r.stdout == "out\nerr\n"  # legacy shell: stderr arrives in stdout
    assert any(s.startswith("shell:") for s in old.services)


def test_phone_vanishing_mid_command_is_offline_not_success(phone: FakeAdbDevice, tmp_path: Path) -> None:
    device = AdbDevice(phone.serial)
    phone.vanish_on = "VANISH-NOW"
    with pytest.raises(DeviceOffline, match="connection lost"):
        device.shell("echo started; sleep 20; echo VANISH-NOW")  # adb alone would exit 0 here
    assert device.state() == "offline"
    with pytest.raises(DeviceOffline):
        device.shell("true")
    (tmp_path / "f").write_text("x")
    with pytest.raises(DeviceOffline):
        device.push(tmp_path / "f", "/tmp/never-written")
    with pytest.raises(DeviceOffline):
        get_device(phone.serial)


def test_unauthorized_phone(make_phone: MakePhone) -> None:
    locked = make_phone(authorized=False, connected=False)
    with pytest.raises(DeviceUnauthorized, match="Allow USB debugging"):
        connect(locked.serial)
    device = AdbDevice(locked.serial)
    with pytest.raises(DeviceUnauthorized):
        device.shell("true")
    assert device.state() == "unauthorized"
    with pytest.raises(DeviceUnauthorized):
        get_device()


def test_connect_to_nothing_is_offline(adb_server: int) -> None:
    with pytest.raises(DeviceOffline, match="adb connect"):
        connect(f"127.0.0.1:{free_port()}")


def test_get_device_picks_the_only_phone(phone: FakeAdbDevice) -> None:
    device = get_device()
    assert isinstance(device, AdbDevice) and device.serial == phone.serial
    assert device.workdir == "/data/local/tmp/edgeocr"


def test_get_device_with_several_phones_asks_to_choose(make_phone: MakePhone, monkeypatch: pytest.MonkeyPatch) -> None:
    a, b = make_phone(), make_phone()
    with pytest.raises(AmbiguousDevice, match="--serial") as e:
        get_device()
    assert a.serial in str(e.value) and b.serial in str(e.value)
    assert get_device(b.serial).serial == b.serial
    monkeypatch.setenv("ANDROID_SERIAL", a.serial)
    assert get_device().serial == a.serial


def test_get_device_errors_name_what_is_there(adb_server: int, make_phone: MakePhone) -> None:
    with pytest.raises(DeviceNotFound, match="no adb device attached"):
        get_device()
    phone = make_phone()
    with pytest.raises(DeviceNotFound, match=phone.serial):
        get_device("no-such-serial")
    with pytest.raises(InputError, match="choose one device"):
        get_device(serial=phone.serial, local=True)
    assert isinstance(get_device(local=True), LocalDevice)


def test_list_devices_without_adb_installed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no adb on it
    monkeypatch.delenv("EDGEOCR_ADB", raising=False)
    monkeypatch.setenv("EDGEOCR_DEVICES", str(tmp_path / "devices.yml"))
    (tmp_path / "devices.yml").write_text("boards: []\n")
    monkeypatch.setenv("EDGEOCR_EMULATED_ROOT", str(tmp_path / "no emulated board"))
    assert [d.transport for d in list_devices()] == ["local"]
    with pytest.raises(DeviceError, match="adb not found.*EDGEOCR_ADB"):
        AdbDevice("R58M123ABC").shell("true")


def test_adb_binary_can_be_overridden(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EDGEOCR_ADB", str(tmp_path / "my-adb"))
    with pytest.raises(DeviceError, match="my-adb: program not found"):
        list_adb_devices()
