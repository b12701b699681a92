"""The built-in sandbox: each provider's emulator, its data and the kernel they share."""
