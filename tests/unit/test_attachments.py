"""What the bot accepts as a file (workflows/attachments.py): kinds, declared types, sizes known
and unknown, the bytes after a download, and the refusal texts."""

from __future__ import annotations

import pytest

from workflows import attachments as at
from workflows.attachments import CONVERT, PHOTO, Incoming, Refused

MB = 1024 * 1024
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 100
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 100
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 100
PDF = b"%PDF-1.7\n" + b"\x00" * 100
EXE = b"MZ\x90\x00" + b"\x00" * 100


def test_limits():
    assert at.IMAGE_MAX_BYTES == 10 * MB
    assert set(at.IMAGE_TYPES) == {"image/jpeg", "image/png", "image/webp", "image/heic", "image/heif"}


def test_a_photo_is_taken_as_it_is_up_to_the_limit():
    assert at.check_image(Incoming(PHOTO, file_size=2 * MB)) == PHOTO
    assert at.check_image(Incoming(PHOTO, file_size=None)) == PHOTO  # size unknown: nothing to download
    assert at.check_image(Incoming(PHOTO, file_size=10 * MB)) == PHOTO
    with pytest.raises(Refused) as e:
        at.check_image(Incoming(PHOTO, file_size=10 * MB + 1))
    assert e.value.code == "size"


@pytest.mark.parametrize(
    ("mime", "name"),
    [
        ("image/jpeg", "IMG_0001.JPG"),
        ("image/png", "scan.png"),
        ("image/webp", "a.webp"),
        ("image/heic", "IMG_0002.HEIC"),
        ("IMAGE/HEIF", None),
        ("image/jpeg", "no-extension"),
        (None, "photo.jpeg"),
        ("application/octet-stream", "IMG.HEIC"),
        ("", "x.webp"),
    ],
)
def test_an_image_sent_as_a_file_is_converted(mime, name):
    assert at.check_image(Incoming("document", mime, name, 3 * MB)) == CONVERT
    assert at.check_image(Incoming("document", mime, name, None)) == CONVERT  # unknown: measured after download


@pytest.mark.parametrize(
    ("mime", "name"),
    [
        ("application/pdf", "민원.pdf"),
        ("application/x-msdownload", "setup.exe"),
        ("image/gif", "a.gif"),
        ("image/svg+xml", "logo.svg"),
        ("image/tiff", "scan.tif"),
        ("text/plain", "photo.jpg"),
        (None, "setup.exe"),
        (None, None),
        ("application/octet-stream", "archive.zip"),
        ("application/zip", "photos.zip"),
    ],
)
def test_other_files_are_refused_by_type(mime, name):
    with pytest.raises(Refused) as e:
        at.check_image(Incoming("document", mime, name, 1000))
    assert (e.value.code, e.value.kind, e.value.file_name) == ("type", "document", name)


@pytest.mark.parametrize("kind", at.OTHER_KINDS)
def test_videos_voices_stickers_are_refused_whatever_their_size(kind):
    for size in (1, None, 50 * MB):
        with pytest.raises(Refused) as e:
            at.check_image(Incoming(kind, "video/mp4", None, size))
        assert e.value.code == "type" and e.value.kind == kind


def test_a_big_image_file_is_refused_before_the_download():
    with pytest.raises(Refused) as e:
        at.check_image(Incoming("document", "image/jpeg", "big.jpg", 25 * MB))
    assert (e.value.code, e.value.size) == ("size", 25 * MB)


@pytest.mark.parametrize(
    ("data", "kind"), [(JPEG, "image/jpeg"), (PNG, "image/png"), (WEBP, "image/webp"), (HEIC, "image/heic")]
)
def test_the_bytes_are_sniffed(data, kind):
    assert at.sniff_image(data) == kind
    assert at.check_image_bytes(data, file_name="x") == kind


@pytest.mark.parametrize(
    "data",
    [
        PDF,
        EXE,
        b"",
        b"RIFF\x00\x00\x00\x00WAVE",
        b"\x00\x00\x00\x18ftypmp42",
        b"GIF89a" + b"\x00" * 10,
        b"<svg xmlns=",
        b"\xff\xd8",
    ],
)
def test_content_that_is_not_an_accepted_image_is_refused(data):
    assert at.sniff_image(data) is None
    with pytest.raises(Refused) as e:
        at.check_image_bytes(data, file_name="renamed.jpg")
    assert e.value.code == "content"


def test_the_downloaded_size_is_checked_when_telegram_gave_none():
    big = JPEG + b"\x00" * (10 * MB)
    with pytest.raises(Refused) as e:
        at.check_image_bytes(big, file_name="big.jpg")
    assert e.value.code == "size" and e.value.size == len(big)
    assert at.check_image_bytes(JPEG + b"\x00" * (10 * MB - len(JPEG))) == "image/jpeg"  # exactly the limit


@pytest.mark.parametrize(
    ("name", "ext"),
    [
        ("a.PDF", ".pdf"),
        ("x.tar.gz", ".gz"),
        ("noext", None),
        (None, None),
        ("weird.<b>", None),
        ("a.verylongext1", None),
        ("  b.Jpg ", ".jpg"),
    ],
)
def test_extension(name, ext):
    assert at.extension(name) == ext


def test_refusal_texts_say_what_is_accepted():
    ko = at.refusal_text("ko", Refused("type", kind="video"))
    assert "동영상" in ko and "JPEG" in ko and "HEIC" in ko and "10MB" in ko
    assert "video" in at.refusal_text("en", Refused("type", kind="video"))
    pdf = at.refusal_text("ko", Refused("type", kind="document", file_name="민원.PDF"))
    assert ".pdf 파일" in pdf
    assert "이름 없는 파일" in at.refusal_text("ko", Refused("type", kind="document", file_name=None))
    # a name that is not a plain extension is never echoed (it could carry markup)
    assert "<b>" not in at.refusal_text("ko", Refused("type", kind="document", file_name="x.<b>"))
    assert "sticker" in at.refusal_text("en", Refused("type", kind="sticker"))
    big = at.refusal_text("ko", Refused("size", size=10 * MB + 1))
    assert "10.1MB" in big and "10MB 이하" in big  # just over the limit never reads as the limit
    assert "25MB" in at.refusal_text("ko", Refused("size", size=25 * MB))
    assert "이미지가 아닙니다" in at.refusal_text("ko", Refused("content"))
    assert "not an image" in at.refusal_text("en", Refused("content"))
