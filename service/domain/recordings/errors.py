"""Why an upload was refused, as problem details the uploader can act on."""

from __future__ import annotations

from service.errors import DebriefError, InvalidInput


class UploadTooLarge(DebriefError):
    status = 413
    title = "Recording too large"


class NotARecording(DebriefError):
    """The bytes are not audio we can decode, whatever the file is called."""

    status = 415
    title = "Not a recording we can read"


class UnusableRecording(InvalidInput):
    """Audio, but empty, truncated or damaged."""

    status = 422
    title = "Recording cannot be used"
