"""ReelDrop's PySide6 window and tray; talks only to the daemon through shared.control."""
