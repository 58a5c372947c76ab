"""What guards the site itself: the login guard and the secrets kept out of error reports."""
