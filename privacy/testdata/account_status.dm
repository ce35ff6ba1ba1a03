# Account status (decision table steps 2 and 3b): only active accounts send or
# receive. A deactivated, suspended or deleted account is "unavailable" on
# either side, whatever the relations; the sender view says so, since an
# account's status is public. Statuses change with set, and an account that
# comes back finds its relations as they were.
policy tiktok
now 2026-03-01

user ana age=30 mode=everyone
user bo  age=30
user cy  age=30 status=deactivated
user di  age=30 status=suspended
user ed  age=30 status=deleted
user fi  age=30 mode=friends

follow ana bo
follow bo ana
follow ana cy
follow cy ana
follow ana di
follow di ana
follow ana ed
follow ed ana
conversation ed ana accepted

# Row 2: the sender's status, before anything else about the pair.
expect cy ana deny sender_unavailable
view   cy ana unavailable
expect di ana deny sender_unavailable
view   di ana unavailable
expect ed ana deny sender_unavailable           # friends, and an accepted chat
view   ed ana unavailable
# Row 3b: the recipient's.
expect ana cy deny recipient_unavailable
view   ana cy unavailable
expect ana di deny recipient_unavailable
expect ana ed deny recipient_unavailable
view   ana ed unavailable
reach ana primary=bo requests=fi

# Where the status row sits among the others.
block di ana
expect di ana deny sender_unavailable           # row 2 before 3
block ana ed
expect ana ed deny sender_blocked_recipient     # row 3 before 3b
view   ana ed you_blocked
block ed bo
expect bo ed deny recipient_unavailable         # row 3b before 3c

# A suspension takes effect on the next decision, and its end too.
set bo status=suspended
expect bo ana deny sender_unavailable
expect ana bo deny recipient_unavailable
reach ana primary= requests=fi
set bo status=active
expect bo ana allow primary friend
expect ana bo allow primary friend

# A deactivated account that comes back finds its friends.
set cy status=active
expect cy ana allow primary friend
expect ana cy allow primary friend

reach ana primary=bo,cy requests=fi
reach bo  primary=ana requests=
reach cy  primary=ana requests=
reach di  primary= requests=
reach ed  primary= requests=
reach fi  primary= requests=
