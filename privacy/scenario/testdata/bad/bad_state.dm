# error: 4:22 "open" | bad conversation state "open": want pending, held, accepted or declined
user ana
user ben
conversation ana ben open
