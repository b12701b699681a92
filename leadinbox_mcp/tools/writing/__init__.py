"""What the write tools share: which account may write what, the arguments, the confirmation."""
