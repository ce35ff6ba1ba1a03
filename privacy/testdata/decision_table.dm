# The decision table (go doc ./privacy, "The decision table"), row by row, for
# the TikTok preset: steps 1-10b pick a base outcome, the first that matches
# decides, then adjustments 11 and 12. Each check names the row it covers;
# "A before B" checks that row A wins over row B when both match.
policy tiktok
now 2026-03-01

user ana age=30 mode=everyone   # the open recipient
user ben age=30                 # an adult who never chose a mode (friends at 18+)
user cat age=30 status=deactivated
user dan age=30 status=suspended
user deb age=30 status=deleted
user fay age=15                 # below the minimum DM age of 16
user gus age=15 status=suspended
user hal age=30
user jay age=30
user kim age=17 mode=suggested  # a minor who lets suggested friends in
user lou age=30
user mia age=16
user mo  age=30 mode=noone
user ned age=30 mode=friends
user oli age=30
user pat age=30
user quin age=30
user rex age=30
user sam age=30
user tom age=30
user uma age=30
user vic age=30
user wes age=30 mode=suggested
user xia age=30
user yan age=30
user zed age=30 suggest-to-contacts=off

# Row 1: S == R.
expect ana ana deny self
view   ana ana not_allowed

# Row 2: S unknown, deactivated, suspended or deleted. (An unknown sender
# cannot be written: every name in a file is declared.)
expect cat ana deny sender_unavailable
view   cat ana unavailable
expect dan ana deny sender_unavailable
expect deb ana deny sender_unavailable
view   deb ana unavailable

# Row 2b: S below the minimum DM age.
expect fay ana deny sender_age
view   fay ana age_restricted
expect gus ana deny sender_unavailable      # row 2 before 2b
view   gus ana unavailable

# Row 3: S blocked R; the sender is told, since they can unblock.
block hal ana
expect hal ana deny sender_blocked_recipient
view   hal ana you_blocked
block hal dan
expect hal dan deny sender_blocked_recipient    # row 3 before 3b
view   hal dan you_blocked
block fay ana
expect fay ana deny sender_age                  # row 2b before 3
block ana hal
expect hal ana deny sender_blocked_recipient    # row 3 before 3c

# Row 3b: R unknown, deactivated, suspended or deleted.
expect ben cat deny recipient_unavailable
view   ben cat unavailable
expect ben dan deny recipient_unavailable
expect ben deb deny recipient_unavailable
block dan ben
expect ben dan deny recipient_unavailable       # row 3b before 3c

# Row 3c: R blocked S; the sender sees what No one would show.
block ana jay
expect jay ana deny blocked_by_recipient
view   jay ana not_allowed
block fay oli
expect oli fay deny blocked_by_recipient        # row 3c before 4

# Row 4: R below the minimum DM age, even for a friend.
expect ben fay deny recipient_age
view   ben fay not_allowed
follow fay mia
follow mia fay
expect mia fay deny recipient_age

# Row 4b: R is 16-17, S is 18+ and not R's friend.
contact kim ben                                 # kim has ben's number
expect ben kim deny minor_protection            # row 4b before 9
view   ben kim not_allowed
follow kim lou
follow lou kim
expect lou kim allow primary friend             # a friend is spared
expect mia kim deny not_suggested               # 16 to 17: no adult, so 9b

# Row 5: R's mode is No one, which stops old chats too.
follow mo ben
follow ben mo
conversation ben mo accepted
expect ben mo deny inbox_closed                 # row 5 before 6 and 7
view   ben mo not_allowed

# Row 6: the pair's thread is accepted, or R started it (any state but
# declined).
conversation ned ben pending                    # ned's request to ben
expect ben ned allow primary existing_conversation
conversation oli ned accepted
expect oli ned allow primary existing_conversation
conversation ned rex held
expect rex ned allow primary existing_conversation
conversation ned quin declined
expect quin ned deny not_friend                 # R started it, but it was declined
conversation pat ned declined
expect pat ned deny not_friend                  # S's request was declined
conversation sam ned pending
expect sam ned deny not_friend                  # S's own request opens nothing

# Row 7: S and R are friends.
follow ned tom
follow tom ned
expect tom ned allow primary friend
follow ned oli
follow oli ned
expect oli ned allow primary existing_conversation   # row 6 before 7

# Row 8: mode Friends, not a friend.
follow uma ned
expect uma ned deny not_friend                  # a follower is not a friend
follow ned vic
expect vic ned deny not_friend                  # nor is someone R follows
view   vic ned not_allowed

# Row 9: mode Suggested friends or Everyone, S a recommended friend of R.
contact wes ben                                 # wes has ben's number
expect ben wes allow primary recommended_contact
facebook wes xia
expect xia wes allow primary recommended_facebook
contact wes yan
facebook wes yan
expect yan wes allow primary recommended_contact     # both: the contact is the reason
contact wes zed
expect zed wes deny not_suggested               # zed's suggest-to-contacts is off
facebook wes zed
expect zed wes allow primary recommended_facebook    # his Facebook switch is on
contact ana oli
expect oli ana allow primary recommended_contact     # row 9 under Everyone

# Row 9b: mode Suggested friends, otherwise.
contact uma wes
expect uma wes deny not_suggested               # uma has wes's number, not the reverse
follow wes vic
expect vic wes deny not_suggested               # being followed is not being suggested
view   vic wes not_allowed

# Row 10: mode Everyone, R follows S.
follow ana vic
expect vic ana allow primary followed_by_recipient
# Row 10b: mode Everyone, otherwise: a message request.
expect ben ana allow requests message_request
view   ben ana allowed
follow uma ana
expect uma ana allow requests message_request   # following R makes no difference

# Row 11: base Primary and R restricted S: Requests, silently.
restrict ned tom
expect tom ned allow requests restricted
view   tom ned allowed
restrict ned oli
expect oli ned allow requests restricted        # an existing conversation too
restrict ana ben
expect ben ana allow requests message_request   # a Requests base stays as it is

# Row 12: a message request from a sender with 20 pending requests started
# in the last 24 hours.
user spa age=30
user f01                    # f01-f20: adults of 18 (no age given), strangers to all
user f02
user f03
user f04
user f05
user f06
user f07
user f08
user f09
user f10
user f11
user f12
user f13
user f14
user f15
user f16
user f17
user f18
user f19
user f20
conversation spa f01 pending
conversation spa f02 pending
conversation spa f03 pending
conversation spa f04 pending
conversation spa f05 pending
conversation spa f06 pending
conversation spa f07 pending
conversation spa f08 pending
conversation spa f09 pending
conversation spa f10 pending
conversation spa f11 pending
conversation spa f12 pending
conversation spa f13 pending
conversation spa f14 pending
conversation spa f15 pending
conversation spa f16 pending
conversation spa f17 pending
conversation spa f18 pending
conversation spa f19 pending
conversation spa f20 pending
expect spa ana deny request_limit
view   spa ana request_limit
expect spa wes deny not_suggested               # the cap only turns message requests
follow ana spa
expect spa ana allow primary followed_by_recipient   # nor does it touch Primary
unfollow ana spa

# Who reaches whom in the final world.
reach ana primary=oli,vic requests=ben,kim,lou,mia,mo,ned,pat,quin,rex,sam,tom,uma,wes,xia,yan,zed,f01,f02,f03,f04,f05,f06,f07,f08,f09,f10,f11,f12,f13,f14,f15,f16,f17,f18,f19,f20
reach ben primary=mo requests=
reach cat primary= requests=
reach dan primary= requests=
reach deb primary= requests=
reach fay primary= requests=
reach gus primary= requests=
reach hal primary= requests=
reach jay primary= requests=
reach kim primary=lou requests=
reach lou primary=kim requests=
reach mia primary= requests=
reach mo  primary= requests=
reach ned primary=ben,rex requests=oli,tom
reach oli primary=ned requests=
reach pat primary= requests=
reach quin primary= requests=
reach rex primary= requests=
reach sam primary=ned requests=         # sam's pending request to ned: ned may answer
reach tom primary=ned requests=
reach uma primary= requests=
reach vic primary= requests=
reach wes primary=ben,xia,yan,zed requests=
reach xia primary= requests=
reach yan primary= requests=
reach zed primary= requests=
reach spa primary=f01,f02,f03,f04,f05,f06,f07,f08,f09,f10,f11,f12,f13,f14,f15,f16,f17,f18,f19,f20 requests=
reach f01 primary= requests=
reach f02 primary= requests=
reach f03 primary= requests=
reach f04 primary= requests=
reach f05 primary= requests=
reach f06 primary= requests=
reach f07 primary= requests=
reach f08 primary= requests=
reach f09 primary= requests=
reach f10 primary= requests=
reach f11 primary= requests=
reach f12 primary= requests=
reach f13 primary= requests=
reach f14 primary= requests=
reach f15 primary= requests=
reach f16 primary= requests=
reach f17 primary= requests=
reach f18 primary= requests=
reach f19 primary= requests=
reach f20 primary= requests=
