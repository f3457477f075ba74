from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """Nobody signs up on their own: staff are invited by a RUPN, pupils get generated accounts."""

    def is_open_for_signup(self, request) -> bool:
        return False
