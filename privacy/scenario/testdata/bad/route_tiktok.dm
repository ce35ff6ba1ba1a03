# error: 2:23 "route.friend=primary" | policy tiktok has no per-audience routing
user ana mode=friends route.friend=primary
