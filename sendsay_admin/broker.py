"""kombu's filesystem transport with atomic message files: the embedded, server-less broker.

kombu's own `_put` creates `<name>.msg` and then writes into it, so a worker polling the folder
can move and read the file while it is still empty and crash on the JSON (seen under `make
run`). Here the payload is written to a temporary name the reader ignores and then renamed
into place, which is atomic on one file system.
"""

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        temporary = f"{final}.part"  # `_get` only takes names ending in "<queue>.msg"
        try:
            with open(temporary, "wb") as handle:
                handle.write(str_to_bytes(dumps(payload)))
            os.replace(temporary, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel
