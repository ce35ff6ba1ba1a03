# Request caps over time (decision table step 12, "Requests and the cap"): a
# new message request from a sender who already has 20 pending requests
# started in the window (now - 24h, now] is denied with request_limit. Held
# (restricted) deliveries never count, nor do accepted or declined threads;
# a follow-up inside the sender's own pending or held thread to R, of any
# age, takes no new slot; the cap only ever turns a message request (row
# 10b) into a deny. A request started exactly 24 hours ago is out of the
# window.
policy tiktok
now 2026-03-01T00:00:00Z

user sp age=30                  # the sender who fills the cap
user t1 age=30 mode=everyone    # strangers' targets
user t2 age=30 mode=everyone
user t3 age=30 mode=everyone
user t4 age=30 mode=everyone
user fr age=30                  # sp's friend
user sg age=30 mode=suggested   # has sp's number
user hx age=30                  # a sender with only held deliveries
user hy age=30                  # a sender with only answered requests
user r01
user r02
user r03
user r04
user r05
user r06
user r07
user r08
user r09
user r10
user r11
user r12
user r13
user r14
user r15
user r16
user r17
user r18
user r19
user r20

follow sp fr
follow fr sp
contact sg sp
restrict t3 sp
restrict t4 sp

# 00:00: 19 requests, and a held delivery to t3 that never counts.
conversation sp r01 pending
conversation sp r02 pending
conversation sp r03 pending
conversation sp r04 pending
conversation sp r05 pending
conversation sp r06 pending
conversation sp r07 pending
conversation sp r08 pending
conversation sp r09 pending
conversation sp r10 pending
conversation sp r11 pending
conversation sp r12 pending
conversation sp r13 pending
conversation sp r14 pending
conversation sp r15 pending
conversation sp r16 pending
conversation sp r17 pending
conversation sp r18 pending
conversation sp r19 pending
conversation sp t3 held
expect sp t1 allow requests message_request     # 19 of 20

# 12:00: the 20th request.
advance 12h
conversation sp t2 pending
expect sp t1 deny request_limit                 # row 12
view   sp t1 request_limit
expect sp t4 deny request_limit                 # restricted or not: the same answer
view   sp t4 request_limit
expect sp t2 allow requests message_request     # a follow-up in sp's own pending thread
expect sp t3 allow requests message_request     # a follow-up in sp's own held thread
expect sp fr allow primary friend               # the cap never touches Primary
expect sp sg allow primary recommended_contact
expect sp r01 deny not_friend                   # nor a deny that came first
view   sp r01 not_allowed

# Held, accepted and declined threads never count.
conversation hx r01 held
conversation hx r02 held
conversation hx r03 held
conversation hx r04 held
conversation hx r05 held
conversation hx r06 held
conversation hx r07 held
conversation hx r08 held
conversation hx r09 held
conversation hx r10 held
conversation hx r11 held
conversation hx r12 held
conversation hx r13 held
conversation hx r14 held
conversation hx r15 held
conversation hx r16 held
conversation hx r17 held
conversation hx r18 held
conversation hx r19 held
conversation hx r20 held
expect hx t1 allow requests message_request
conversation hy r01 accepted
conversation hy r02 accepted
conversation hy r03 accepted
conversation hy r04 accepted
conversation hy r05 accepted
conversation hy r06 accepted
conversation hy r07 accepted
conversation hy r08 accepted
conversation hy r09 accepted
conversation hy r10 accepted
conversation hy r11 declined
conversation hy r12 declined
conversation hy r13 declined
conversation hy r14 declined
conversation hy r15 declined
conversation hy r16 declined
conversation hy r17 declined
conversation hy r18 declined
conversation hy r19 declined
conversation hy r20 declined
expect hy t1 allow requests message_request
reach t1 primary= requests=t2,t3,t4,fr,sg,hx,hy,r01,r02,r03,r04,r05,r06,r07,r08,r09,r10,r11,r12,r13,r14,r15,r16,r17,r18,r19,r20

# The window edge: at 23:59 the next day the first 19 still count; at
# midnight, exactly 24 hours after they were sent, they no longer do.
advance 11h
advance 59m
expect sp t1 deny request_limit
advance 1m
expect sp t1 allow requests message_request     # only the 12:00 request is in the window
reach t1 primary= requests=sp,t2,t3,t4,fr,sg,hx,hy,r01,r02,r03,r04,r05,r06,r07,r08,r09,r10,r11,r12,r13,r14,r15,r16,r17,r18,r19,r20

# The window slides: 19 new requests now, plus the one from 12:00 yesterday.
conversation sp r01 pending
conversation sp r02 pending
conversation sp r03 pending
conversation sp r04 pending
conversation sp r05 pending
conversation sp r06 pending
conversation sp r07 pending
conversation sp r08 pending
conversation sp r09 pending
conversation sp r10 pending
conversation sp r11 pending
conversation sp r12 pending
conversation sp r13 pending
conversation sp r14 pending
conversation sp r15 pending
conversation sp r16 pending
conversation sp r17 pending
conversation sp r18 pending
conversation sp r19 pending
expect sp t1 deny request_limit
advance 12h                                     # yesterday's 12:00 request is 24 h old
expect sp t1 allow requests message_request
conversation sp r20 pending
expect sp t1 deny request_limit
expect sp t2 allow requests message_request     # sp's own thread to t2, a day old: no new slot
conversation sp t4 declined
expect sp t4 deny request_limit                 # a declined thread is no thread of sp's own
follow t4 sp
expect sp t4 allow requests restricted          # base Primary (row 10), then 11: no cap
view   sp t4 allowed
unfollow t4 sp

# Answered requests free their slots.
conversation sp r01 accepted
expect sp t1 allow requests message_request
conversation sp r01 pending
expect sp t1 deny request_limit
conversation sp r02 declined
expect sp t1 allow requests message_request

reach sp primary=fr,r01,r03,r04,r05,r06,r07,r08,r09,r10,r11,r12,r13,r14,r15,r16,r17,r18,r19,r20,t2,t3 requests=
reach t1 primary= requests=sp,t2,t3,t4,fr,sg,hx,hy,r01,r02,r03,r04,r05,r06,r07,r08,r09,r10,r11,r12,r13,r14,r15,r16,r17,r18,r19,r20
reach t2 primary= requests=sp,t1,t3,t4,fr,sg,hx,hy,r01,r02,r03,r04,r05,r06,r07,r08,r09,r10,r11,r12,r13,r14,r15,r16,r17,r18,r19,r20
reach t3 primary= requests=sp,t1,t2,t4,fr,sg,hx,hy,r01,r02,r03,r04,r05,r06,r07,r08,r09,r10,r11,r12,r13,r14,r15,r16,r17,r18,r19,r20
reach t4 primary= requests=sp,t1,t2,t3,fr,sg,hx,hy,r01,r02,r03,r04,r05,r06,r07,r08,r09,r10,r11,r12,r13,r14,r15,r16,r17,r18,r19,r20
reach fr primary=sp requests=
reach sg primary=sp requests=
reach hx primary=r01,r02,r03,r04,r05,r06,r07,r08,r09,r10,r11,r12,r13,r14,r15,r16,r17,r18,r19,r20 requests=
reach hy primary=r01,r02,r03,r04,r05,r06,r07,r08,r09,r10 requests=
reach r01 primary=hy requests=
reach r02 primary=hy requests=
reach r03 primary=hy requests=
reach r04 primary=hy requests=
reach r05 primary=hy requests=
reach r06 primary=hy requests=
reach r07 primary=hy requests=
reach r08 primary=hy requests=
reach r09 primary=hy requests=
reach r10 primary=hy requests=
reach r11 primary= requests=
reach r12 primary= requests=
reach r13 primary= requests=
reach r14 primary= requests=
reach r15 primary= requests=
reach r16 primary= requests=
reach r17 primary= requests=
reach r18 primary= requests=
reach r19 primary= requests=
reach r20 primary= requests=
