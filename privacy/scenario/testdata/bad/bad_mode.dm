# error: 2:10 "mode=mutuals" | policy tiktok has no mode "mutuals"
user ana mode=mutuals
