# Blocks and restrict (decision table steps 3, 3c and 11, and "The sender view
# and the no-leak rule"). A block denies in both directions whatever else holds;
# a restriction silently moves what would land in Primary to Requests.
policy tiktok
now 2026-03-01

user ana age=30 mode=everyone   # the recipient
user bo  age=30                 # ana's friend
user cy  age=30                 # a stranger
user di  age=30                 # ana follows di
user ed  age=30                 # ana has ed's number
user flo age=30                 # an accepted conversation with ana
user gia age=30 mode=friends    # a second recipient, bo's friend

follow ana bo
follow bo ana
follow ana di
contact ana ed
conversation flo ana accepted
follow gia bo
follow bo gia

# Before any block or restriction.
expect bo  ana allow primary friend
expect di  ana allow primary followed_by_recipient
expect ed  ana allow primary recommended_contact
expect flo ana allow primary existing_conversation
expect cy  ana allow requests message_request
reach ana primary=bo,di,ed,flo requests=cy,gia
reach gia primary=bo requests=

# Row 3c: the recipient's block beats every audience, an old chat included.
block ana bo
block ana cy
block ana di
block ana ed
block ana flo
expect bo  ana deny blocked_by_recipient
expect cy  ana deny blocked_by_recipient
expect di  ana deny blocked_by_recipient
expect ed  ana deny blocked_by_recipient
expect flo ana deny blocked_by_recipient
view   bo  ana not_allowed
reach ana primary= requests=gia

# Row 3: the blocker cannot message the blocked either, and is told why.
expect ana bo deny sender_blocked_recipient
view   ana bo you_blocked
block bo ana
expect bo ana deny sender_blocked_recipient    # both blocked: row 3 comes first
view   bo ana you_blocked
unblock bo ana

# Unblocking restores what the block hid: the follows were kept.
unblock ana bo
unblock ana cy
unblock ana di
unblock ana ed
unblock ana flo
expect bo ana allow primary friend
reach ana primary=bo,di,ed,flo requests=cy,gia

# No leak: a friend blocked by gia sees what gia switching to No one shows.
block gia bo
view   bo gia not_allowed
expect bo gia deny blocked_by_recipient
unblock gia bo
set gia mode=noone
view   bo gia not_allowed
expect bo gia deny inbox_closed
set gia mode=friends
reach gia primary=bo requests=

# Row 11: a restriction moves every Primary route to Requests, silently.
restrict ana bo
restrict ana di
restrict ana ed
restrict ana flo
restrict ana cy
expect bo  ana allow requests restricted
expect di  ana allow requests restricted
expect ed  ana allow requests restricted
expect flo ana allow requests restricted
expect cy  ana allow requests message_request   # a Requests base is left as it is
view   bo  ana allowed                          # the same view as no restriction
view   cy  ana allowed
reach ana primary= requests=bo,cy,di,ed,flo,gia

# A restriction opens nothing: it only moves what would be delivered.
restrict gia cy
expect cy gia deny not_friend
restrict gia bo
expect bo gia allow requests restricted
set gia mode=noone
expect bo gia deny inbox_closed
set gia mode=friends

# It is directed: bo restricting ana changes nothing for bo's messages.
restrict bo ana
expect bo ana allow requests restricted         # still only ana's restriction
expect ana bo allow requests restricted         # bo (friends mode) restricted ana, his friend

# A block beats a restriction.
block ana bo
expect bo ana deny blocked_by_recipient
unblock ana bo

# Lifting the restrictions restores Primary.
unrestrict ana bo
unrestrict ana di
unrestrict ana ed
unrestrict ana flo
unrestrict ana cy
unrestrict gia cy
unrestrict gia bo
unrestrict bo ana
expect bo ana allow primary friend
reach ana primary=bo,di,ed,flo requests=cy,gia
reach bo  primary=ana,gia requests=
reach cy  primary= requests=
reach di  primary= requests=
reach ed  primary= requests=
reach flo primary=ana requests=
reach gia primary=bo requests=
