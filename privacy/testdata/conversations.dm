# Existing, held and declined conversations (decision table step 6, and
# "Requests and the cap"): one thread per unordered pair, with who started it and a state.
# Row 6 admits S to Primary when the thread is accepted, or when R started it
# and it is not declined; S's own pending or held request opens nothing for
# S, and a declined thread is as good as none. No one stops old chats too.
policy tiktok
now 2026-03-01

user ana age=30 mode=friends    # the recipient
user bo  age=30                 # an accepted thread bo started
user cy  age=30                 # an accepted thread ana started
user di  age=30                 # ana's pending request to di
user ed  age=30                 # ana's held (restricted) delivery to ed
user fe  age=30                 # fe's pending request to ana
user gu  age=30                 # gu's held delivery to ana
user hu  age=30                 # hu's request, which ana declined
user io  age=30                 # ana's request, which io declined

conversation bo ana accepted
conversation ana cy accepted
conversation ana di pending
conversation ana ed held
conversation fe ana pending
conversation gu ana held
conversation hu ana declined
conversation ana io declined

# Friends: only row 6 admits anyone here.
expect bo ana allow primary existing_conversation   # accepted, S started it
expect cy ana allow primary existing_conversation   # accepted, R started it
expect di ana allow primary existing_conversation   # R's pending request: S answers it
expect ed ana allow primary existing_conversation   # R's held delivery: S answers it
expect fe ana deny not_friend                       # S's own pending request
expect gu ana deny not_friend                       # S's own held delivery
expect hu ana deny not_friend                       # S's request, declined
expect io ana deny not_friend                       # R's request, declined by S
reach ana primary=bo,cy,di,ed requests=

# The other way round: each side's view of the same threads.
reach bo primary=ana requests=
reach cy primary=ana requests=
reach di primary= requests=             # ana's own pending request to di
reach ed primary= requests=
reach fe primary=ana requests=          # fe asked: ana may answer
reach gu primary=ana requests=
reach hu primary= requests=
reach io primary= requests=

# Everyone: the rest arrive as message requests; a declined thread does not
# stop a new request (row 10b).
set ana mode=everyone
expect fe ana allow requests message_request        # a follow-up to S's own request
expect gu ana allow requests message_request
expect hu ana allow requests message_request
expect io ana allow requests message_request
reach ana primary=bo,cy,di,ed requests=fe,gu,hu,io

# Suggested friends: old threads still admit; strangers do not.
set ana mode=suggested
expect fe ana deny not_suggested
reach ana primary=bo,cy,di,ed requests=

# No one stops old chats (row 5 before 6).
set ana mode=noone
expect bo ana deny inbox_closed
expect di ana deny inbox_closed
view   bo ana not_allowed
reach ana primary= requests=
set ana mode=friends
expect bo ana allow primary existing_conversation   # back, the thread is still there

# Threads last: a year later nothing has changed.
advance 365d
reach ana primary=bo,cy,di,ed requests=

# A later line for the pair replaces its thread.
conversation fe ana accepted                        # ana accepted fe's request
expect fe ana allow primary existing_conversation
conversation bo ana declined                        # the old chat, now declined
expect bo ana deny not_friend
conversation ana hu pending                         # ana writes to hu after declining
expect hu ana allow primary existing_conversation
expect ana hu deny not_friend                       # ana's own request opens nothing for ana
conversation di ana held                            # di's own held delivery replaces ana's request
expect di ana deny not_friend
reach ana primary=cy,ed,fe,hu requests=
reach bo  primary= requests=
reach cy  primary=ana requests=
reach di  primary=ana requests=
reach ed  primary= requests=
reach fe  primary=ana requests=
reach gu  primary=ana requests=
reach hu  primary= requests=
reach io  primary= requests=
