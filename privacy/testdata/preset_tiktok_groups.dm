# Group adds under the TikTok preset (go doc ./privacy, "Group adds"; TikTok's
# group chats as launched in August 2024): 16+; only a
# friend may add you; a 16-17-year-old also needs a friend already in the
# group; a block between the invitee and any member denies without saying
# which; and a group must never connect a minor with an adult who could not
# message them directly (the Messenger Kids incident of 2019).
policy tiktok
now 2026-03-01

user ana age=25
user ben age=27
user cy  age=17
user dee age=17
user eve age=30
user fay age=16
user gus age=15
follow ana ben
follow ben ana
follow ana cy            # ana and cy are friends (an adult and a minor)
follow cy ana
follow cy dee
follow dee cy
follow dee fay
follow fay dee
follow ana gus
follow gus ana
block ben eve

group ana ben ana allow friend
group eve ben eve deny group_blocked              # ben blocked eve
group ana ben ana,eve deny group_blocked          # a member ben blocked: which one is never said
view  eve ben not_allowed
group eve ana eve deny group_inviter_not_friend
group ana cy ana,dee allow friend                 # a friend invites, and dee is a friend in the group
group dee cy dee deny group_minor_needs_friend    # the inviter is the only friend
group dee cy dee,fay deny group_minor_needs_friend
group ana cy ana,ben deny group_minor_protection  # ben: an adult stranger to cy
group eve cy eve deny group_minor_protection      # the inviter is an adult stranger
group ana ben ana,cy deny group_minor_protection  # ben, an adult, would meet cy
group ana gus ana deny recipient_age              # groups are 16+

# Direct messages in the same world, for comparison.
reach cy primary= requests=                        # a minor's never-set mode: no one
reach ben primary=ana requests=
