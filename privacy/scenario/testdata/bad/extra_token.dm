# error: 4:16 "cy" | unexpected "cy" after a complete follow statement: want follow A B
user ana
user ben
follow ana ben cy
