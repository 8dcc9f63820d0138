"""The README's import paths for BBB signing and Maildir reading still work after their move."""

from entdrill import bbb_checksum, mailstore
from entdrill.sandbox import bbb_checksum as old_bbb_checksum
from entdrill.sandbox import mailstore as old_mailstore


def test_the_sandbox_paths_hand_on_the_same_functions() -> None:
    assert old_bbb_checksum.build_url is bbb_checksum.build_url
    assert old_mailstore.read_mailbox is mailstore.read_mailbox


def test_the_sandbox_paths_export_every_public_name_of_the_moved_modules() -> None:
    for old, new in ((old_bbb_checksum, bbb_checksum), (old_mailstore, mailstore)):
        public = {
            name
            for name, value in vars(new).items()
            if not name.startswith("_")
            and (name.isupper() or getattr(value, "__module__", "") == new.__name__)
        }
        assert set(old.__all__) == public
