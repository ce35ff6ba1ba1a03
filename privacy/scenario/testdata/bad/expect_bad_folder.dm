# error: 4:22 "inbox" | bad folder "inbox": want primary or requests
user ana
user ben
expect ana ben allow inbox friend
