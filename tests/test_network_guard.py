"""The network guard, and a full `summarize` that succeeds with no network at all.

No test here reaches the network: refused addresses are TEST-NET (RFC 5737) and the functions the
guard wraps are replaced by fakes that record calls, except for the loopback test.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app import errors
from desktop_app.privacy import network

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "samples" / "en_progress_note_text_layer.pdf"


@pytest.fixture
def fake_net(monkeypatch):
    """Replace the socket functions the guard wraps with fakes; remove the guard afterwards."""
    calls: list[tuple] = []

    def connect(self, address):
        calls.append(("connect", address))

    def getaddrinfo(host, port, *args, **kwargs):
        calls.append(("getaddrinfo", host))
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("192.0.2.77", port))]

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield calls
    network.uninstall()


def test_importing_the_module_patches_nothing():
    # Runs in a fresh interpreter: another test may have installed the guard in this one.
    code = ("import socket; before = socket.socket.connect, socket.getaddrinfo\n"
            "import desktop_app.privacy.network as n\n"
            "assert (socket.socket.connect, socket.getaddrinfo) == before and not n.is_installed()")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_refuses_an_outside_address_without_touching_the_socket(fake_net, caplog):
    network.install()
    with socket.socket() as sock, caplog.at_level(logging.WARNING):
        with pytest.raises(errors.NetworkBlocked) as info:
            sock.connect(("203.0.113.9", 443))
    assert fake_net == []  # the real connect was never reached
    assert isinstance(info.value, ConnectionRefusedError)  # libraries that handle "offline" still work
    assert info.value.code == "network_blocked"
    assert "203.0.113.9" in info.value.message("zh") and "已阻止" in info.value.message("zh")
    refusals = [r.getMessage() for r in caplog.records]
    assert refusals == ["network guard: refused a connection to 203.0.113.9 port 443"]


def test_refuses_name_lookups_unless_allow_listed(fake_net):
    network.install(["http://llm.hospital.lan:8000/v1"])
    with pytest.raises(errors.NetworkBlocked):
        socket.getaddrinfo("huggingface.co", 443)
    assert fake_net == []  # no DNS query left the process
    # The allow-listed name resolves, and the address it resolved to may then be connected to.
    socket.getaddrinfo("llm.hospital.lan", 8000)
    with socket.socket() as sock:
        sock.connect(("192.0.2.77", 8000))
    assert fake_net == [("getaddrinfo", "llm.hospital.lan"), ("connect", ("192.0.2.77", 8000))]
    # A name handed straight to connect() is judged by name.
    with socket.socket() as sock, pytest.raises(errors.NetworkBlocked):
        sock.connect(("example.org", 80))


def test_allow_listed_networks_and_udp(fake_net):
    network.install(["10.20.0.0/16"])
    with socket.socket() as sock:
        sock.connect(("10.20.3.4", 8000))
    assert fake_net == [("connect", ("10.20.3.4", 8000))]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp, pytest.raises(errors.NetworkBlocked):
        udp.sendto(b"query", ("198.51.100.53", 53))
    assert network.posture() == network.Posture(True, ("10.20.0.0/16",))


def test_loopback_works_for_real_and_uninstall_restores():
    original = socket.socket.connect
    network.install()
    try:
        with socket.socket() as server:
            server.bind(("127.0.0.1", 0))
            server.listen(1)
            with socket.create_connection(server.getsockname(), timeout=5) as client:
                peer, _ = server.accept()
                client.sendall(b"ok")
                assert peer.recv(2) == b"ok"
                peer.close()
        assert "ON" in network.posture().describe()
    finally:
        network.uninstall()
    assert socket.socket.connect is original and not network.is_installed()
    assert "OFF" in network.posture().describe()


def _summary_ok(stdout: str) -> dict:
    result = json.loads(stdout.strip().splitlines()[-1])
    assert result["error"] is None
    assert result["summary"]["plan"]["status"] == "found"
    assert "Cipro 500 mg" in result["summary"]["plan"]["text"]
    return result


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CACHE_HOME=str(tmp_path / "cache"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_STATE_HOME=str(tmp_path / "state"))
    return env


def _unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    try:
        return subprocess.run(["unshare", "-n", "true"], capture_output=True, timeout=10).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@pytest.mark.skipif(not _unshare_works(),
                    reason="unshare -n is not permitted here (needs root or user namespaces)")
def test_full_summarize_with_the_network_removed(tmp_path):
    # GIVEN a process in a fresh network namespace: no interface but a down loopback, no route, no DNS
    command = ["unshare", "-n", sys.executable, "-m", "desktop_app", "summarize", str(SAMPLE), "--json"]
    # WHEN the CLI summarizes the bundled sample with the embedded engines
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=tmp_path,
                          env=_env(tmp_path))
    # THEN it succeeds exactly as it does online
    assert done.returncode == 0, done.stderr
    _summary_ok(done.stdout)


def test_full_summarize_with_the_guard_on_and_a_failing_socket(monkeypatch, capsys):
    # GIVEN sockets that fail as on a machine with no network, behind the guard
    def unreachable(self, address):
        raise OSError(101, "Network is unreachable")

    def no_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket.socket, "connect", unreachable)
    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    network.install()
    try:
        from desktop_app import cli

        # WHEN the CLI summarizes the bundled sample
        code = cli.main(["summarize", str(SAMPLE), "--json"])
    finally:
        network.uninstall()
    # THEN it succeeds
    assert code == 0
    _summary_ok(capsys.readouterr().out)


def test_doctor_reports_the_network_posture(tmp_path, monkeypatch, capsys):
    from desktop_app import cli, doctor

    network.uninstall()
    check = doctor.check_network()
    assert (check.status, check.detail) == (doctor.WARN, "network guard: OFF (outgoing connections are not restricted)")
    network.install(["10.1.2.3"])
    try:
        check = doctor.check_network()
        assert (check.status, check.detail) == (doctor.OK, "network guard: ON (loopback only; allowed hosts: 10.1.2.3)")
    finally:
        network.uninstall()
    # The command prints the same line among its other checks.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # the audit check reads only here
    cli.main(["doctor"])
    lines = capsys.readouterr().out.splitlines()
    expected = ("[OK  ] network    network guard: ON", "[WARN] network    network guard: OFF")
    assert any(line.startswith(expected) for line in lines)


def test_allow_list_networks_are_accepted_by_the_ocr_endpoint_check():
    # The README allows networks (`--allow-host 10.1.0.0/16`); the endpoint check now agrees with the guard.
    from desktop_app.ocr.openai_compat import check_endpoint

    assert check_endpoint("http://10.1.20.30:8000/v1/", ("10.1.0.0/16",)) == "http://10.1.20.30:8000/v1"
    assert check_endpoint("http://[fd00::7]:8000/v1", ("fd00::/8",)) == "http://[fd00::7]:8000/v1"
    assert check_endpoint("http://ocr.lan:8000/v1", ("OCR.lan",)) == "http://ocr.lan:8000/v1"
    with pytest.raises(errors.EndpointNotAllowed):
        check_endpoint("http://10.2.0.1:8000/v1", ("10.1.0.0/16",))
    with pytest.raises(errors.EndpointNotAllowed):
        check_endpoint("http://ocr.lan:8000/v1", ("10.1.0.0/16",))  # a network allows addresses, not names

