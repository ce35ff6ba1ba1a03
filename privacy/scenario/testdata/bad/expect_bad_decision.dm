# error: 4:16 "maybe" | bad decision "maybe": want allow or deny
user ana
user ben
expect ana ben maybe
