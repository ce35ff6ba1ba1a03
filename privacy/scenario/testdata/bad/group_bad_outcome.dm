# error: 5:18 "maybe" | bad group outcome "maybe": want allow, invite or deny
user ana
user ben
user cy
group ana ben cy maybe
