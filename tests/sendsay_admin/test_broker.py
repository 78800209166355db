"""The embedded broker: kombu's filesystem transport with atomic message files."""

from kombu import Connection

from sendsay_admin.broker import Transport


def _connection(folder):
    (folder / "control").mkdir(exist_ok=True)
    return Connection(
        transport=Transport,
        transport_options={
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            "control_folder": str(folder / "control"),
        },
    )


def test_message_round_trips_through_the_folder(tmp_path):
    with _connection(tmp_path) as conn:
        queue = conn.SimpleQueue("jobs")
        queue.put({"ids": [1, 2, 3]})
        assert queue.get(timeout=2).payload == {"ids": [1, 2, 3]}
        queue.close()
    assert not list(tmp_path.glob("*.part"))


def test_a_message_still_being_written_is_not_read(tmp_path):
    (tmp_path / "1_abc.partial.msg.part").write_bytes(b"")  # a writer is mid-way through
    with _connection(tmp_path) as conn:
        queue = conn.SimpleQueue("partial")  # kombu keeps bindings per process: a fresh name
        assert len(queue) == 0
        queue.put({"ok": True})
        assert queue.get(timeout=2).payload == {"ok": True}
        queue.close()
