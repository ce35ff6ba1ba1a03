# error: 3:12 "bob" | unknown user "bob": declare it with a user line before this one
user ana
expect ana bob deny
user bob
