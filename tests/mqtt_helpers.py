"""A real mosquitto broker started by the tests, and a device that publishes to it and waits for its answers."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from .server_process import free_port

MOSQUITTO = Path("/usr/sbin/mosquitto")  # Debian's mosquitto (`make demo-packages` installs it)
START_S = 10.0  # how long the broker has to accept connections
ANSWER_S = 20.0  # how long a test waits for an answer: the subscriber's backoff after a restart is 0.5, 1, 2, 5 s


class Mosquitto:
    """One mosquitto on 127.0.0.1, configured in ``directory``; ``conf`` adds lines (password and ACL files)."""

    def __init__(self, directory: Path, conf: str = "allow_anonymous true\n") -> None:
        if not MOSQUITTO.exists():
            pytest.fail(f"{MOSQUITTO} is missing: run `make demo-packages` (it installs mosquitto)")
        self.directory = directory
        self.port = free_port()
        self.config = directory / "mosquitto.conf"
        # `user root`: started as root, mosquitto would drop to the user mosquitto, who cannot read the password
        # and ACL files in pytest's private temp directory (run as anyone else, the line does nothing).
        self.config.write_text(f"listener {self.port} 127.0.0.1\npersistence false\nuser root\n{conf}", "utf-8")
        self.log = directory / "mosquitto.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen([str(MOSQUITTO), "-c", str(self.config)], stdout=log,
                                            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_S
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                pass
            if self.process.poll() is not None:
                pytest.fail(f"mosquitto exited with {self.process.returncode}: {self.log.read_text('utf-8')}")
            if time.monotonic() > deadline:
                self.stop()
                pytest.fail(f"mosquitto did not accept connections within {START_S} s: {self.log}")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


class Device:
    """An MQTT client of the tests (paho, its network loop on a thread): publishes and collects every ack."""

    def __init__(self, broker: Mosquitto, username: str | None = None, password: str | None = None) -> None:
        self._answers: list[tuple[str, bytes]] = []
        self._changed = threading.Condition()
        self._subscribed = threading.Event()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-{uuid.uuid4().hex[:12]}")
        if username is not None:
            self.client.username_pw_set(username, password)
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *args: self._subscribed.set()
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()

    def _on_message(self, client: Any, userdata: Any, message: mqtt.MQTTMessage) -> None:
        with self._changed:
            self._answers.append((message.topic, message.payload))
            self._changed.notify_all()

    def listen(self, topic: str = "andian/+/ack") -> None:
        self._subscribed.clear()
        self.client.subscribe(topic, qos=1)
        assert self._subscribed.wait(START_S), f"no SUBACK for {topic}"

    def publish(self, topic: str, payload: dict[str, Any] | bytes) -> None:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        info = self.client.publish(topic, body, qos=1)
        info.wait_for_publish(timeout=START_S)
        assert info.is_published(), f"the broker did not take the message on {topic}"

    def answer(self, gateway_id: int | str, timeout: float = ANSWER_S) -> dict[str, Any]:
        """The next answer on ``andian/{gateway_id}/ack`` (answers on other topics stay for their turn)."""
        topic = f"andian/{gateway_id}/ack"
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for i, (got, payload) in enumerate(self._answers):
                    if got == topic:
                        del self._answers[i]
                        answer: dict[str, Any] = json.loads(payload)
                        return answer
                left = deadline - time.monotonic()
                if left <= 0:
                    pytest.fail(f"no answer on {topic} within {timeout} s")
                self._changed.wait(left)

    def has_answer(self, gateway_id: int | str) -> bool:
        with self._changed:
            return any(topic == f"andian/{gateway_id}/ack" for topic, _ in self._answers)

    def wait_for_server(self, probe_gateway: str = "0", timeout: float = ANSWER_S) -> None:
        """Until the server's subscriber answers: a message published before it subscribed is lost (no session
        keeps it), so probe a gateway id nobody has every 0.2 s until the first answer comes."""
        deadline = time.monotonic() + timeout
        while True:
            self.publish(f"andian/{probe_gateway}/ingest", b"{}")
            with self._changed:
                self._changed.wait_for(lambda: self.has_answer(probe_gateway), timeout=0.2)
            if self.has_answer(probe_gateway):
                return
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not subscribe within {timeout} s")

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
