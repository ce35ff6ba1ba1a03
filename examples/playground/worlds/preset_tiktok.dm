# TikTok: the four inbox modes side by side
#
# Four recipients, one in each mode of "Who can send you direct
# messages", and the same senders for all four: each column of the grid
# is a mode. Everyone sends strangers to message requests; Suggested
# friends adds synced contacts and Facebook friends to friends; Friends is
# mutual followers; No one closes the inbox.
policy tiktok
now 2026-03-01

user open  age=30 mode=everyone
user sugg  age=30 mode=suggested
user frnd  age=30 mode=friends
user none  age=30 mode=noone
user pal   age=28               # everyone's friend
user fan   age=22               # follows all four
user star  age=35               # all four follow star
user num   age=41               # in all four's synced contacts
user fb    age=26               # everyone's Facebook friend
user str   age=33               # a stranger

follow pal open
follow open pal
follow pal sugg
follow sugg pal
follow pal frnd
follow frnd pal
follow pal none
follow none pal
follow fan open
follow fan sugg
follow fan frnd
follow fan none
follow open star
follow sugg star
follow frnd star
follow none star
contact open num
contact sugg num
contact frnd num
contact none num
facebook fb open
facebook fb sugg
facebook fb frnd
facebook fb none

reach open primary=pal,star,num,fb requests=sugg,frnd,none,fan,str
reach sugg primary=pal,num,fb requests=
reach frnd primary=pal requests=
reach none primary= requests=
