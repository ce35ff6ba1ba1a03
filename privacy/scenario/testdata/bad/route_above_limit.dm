# error: 4:9 "route.anyone=primary" | ana may not set route.anyone=primary at 2026-01-01: users whose age is 18+ may route anyone to requests at most
policy instagram
user ana age=30
set ana route.anyone=primary
