# error: 3:1 "policy" | policy must come before the first user (line 2 declares ana)
user ana
policy tiktok
