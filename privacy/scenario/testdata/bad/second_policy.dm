# error: 3:1 "policy" | a second policy line: the policy was set on line 2
policy tiktok
policy tiktok
