# Minors (decision table steps 2b, 4 and 4b, and "Defaults and availability"):
# DMs are for 16 and over; a 16-17-year-old hears from an adult only if they
# are friends, whatever their mode; a mode never set is No one under 18 and
# Friends from 18, and follows the user's age band on the day of the
# decision; a mode chosen stays as the user ages. Birthdays are crossed with
# advance: ages are by calendar date, and decisions flip on the day.
policy tiktok
now 2026-02-28

user ada  age=30 mode=everyone  # an open adult
user abe  age=30                # an adult stranger to the minors
user amy  age=30                # an adult friend of the minors
user k15  age=15
user k16  age=16 mode=suggested
user k17  age=17 mode=friends
user k17b age=17                # mode never set: No one under 18
user k18  age=18                # mode never set: Friends from 18
user lea  birth=2008-02-29      # 17 today; 18 on 2026-03-01 (no 29 February in 2026)
user teo  birth=2010-03-09      # 15 today; 16 on 2026-03-09
user uri  birth=2008-03-09      # 17 today; 18 on 2026-03-09; mode never set
user val  birth=2008-03-09 mode=suggested   # 17 today, chose Suggested friends

follow amy k16
follow k16 amy
follow amy k17
follow k17 amy
follow amy k17b
follow k17b amy
follow amy lea
follow lea amy
contact k16 abe                 # k16 has the adult abe's number
contact k16 k17                 # and k17's
contact val abe                 # val has abe's number
conversation abe k17 accepted   # an old chat between an adult and a minor

# Row 2b and 4: under 16 neither sends nor receives, friends or not.
expect k15 ada deny sender_age
view   k15 ada age_restricted
expect k15 k16 deny sender_age
expect abe k15 deny recipient_age
expect k16 k15 deny recipient_age
view   abe k15 not_allowed             # the same view as No one: age never leaks

# Row 4b: an adult who is not a friend never reaches a 16-17-year-old.
expect abe k16 deny minor_protection   # though k16 has his number (row 9 comes later)
view   abe k16 not_allowed
expect ada k16 deny minor_protection
expect k18 k17 deny minor_protection   # 18 is an adult
expect abe k17 deny minor_protection   # an accepted old chat does not help (row 4b before 6)
expect amy k16 allow primary friend    # a friend is spared
expect amy k17 allow primary friend
expect k17 k16 allow primary recommended_contact   # minor to minor: the mode decides
expect k17b k16 deny not_suggested
expect amy k17b deny inbox_closed      # a friend, but k17b never chose: No one
# Minors message adults as the adult's mode says.
expect k16 ada allow requests message_request
expect k17 abe allow primary existing_conversation
expect k16 abe deny not_friend

reach k15  primary= requests=
reach k16  primary=amy,k17 requests=
reach k17  primary=amy requests=
reach k17b primary= requests=
reach k18  primary= requests=

# lea turns 18 on 1 March (born 29 February): her default moves from No
# one to Friends that day.
expect abe lea deny minor_protection
expect amy lea deny inbox_closed
reach lea primary= requests=
advance 1d
expect abe lea deny not_friend
expect amy lea allow primary friend
reach lea primary=amy requests=

# teo turns 16, and uri and val 18, on 9 March.
advance 7d                             # 8 March, the day before
expect teo ada deny sender_age
expect ada teo deny recipient_age
expect abe uri deny minor_protection
expect abe val deny minor_protection
reach teo primary= requests=
reach val primary= requests=
advance 23h
advance 59m                            # 23:59 on 8 March: still the day before
expect teo ada deny sender_age
expect abe val deny minor_protection
advance 1m                             # midnight: 9 March
expect teo ada allow requests message_request
view   teo ada allowed
expect ada teo deny minor_protection   # 16 now, but ada is an adult stranger
expect k16 teo deny inbox_closed       # and teo's default is No one until 18
expect abe uri deny not_friend         # uri's default is Friends now
expect abe val allow primary recommended_contact   # val's chosen mode stayed Suggested

# At 18, val may choose Everyone (checked when chosen, at the line's clock).
set val mode=everyone
expect k16 val allow requests message_request

reach ada  primary= requests=abe,amy,k16,k17,k17b,k18,lea,teo,uri,val
reach abe  primary=k17 requests=
reach amy  primary=k16,k17,k17b,lea requests=
reach k15  primary= requests=
reach k16  primary=amy,k17 requests=
reach k17  primary=amy requests=
reach k17b primary= requests=
reach k18  primary= requests=
reach lea  primary=amy requests=
reach teo  primary= requests=
reach uri  primary= requests=
reach val  primary=abe requests=ada,amy,k16,k17,k17b,k18,lea,teo,uri
