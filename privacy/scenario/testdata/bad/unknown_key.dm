# error: 2:10 "mod=friends" | unknown key "mod" (did you mean mode?)
user ana mod=friends
