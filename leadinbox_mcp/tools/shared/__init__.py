"""What every tool shares: the accounts as the tools see them, conversation ids, and the arguments
several tools take, declared once."""
