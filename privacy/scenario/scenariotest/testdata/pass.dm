now 2026-03-01
user ana age=30 mode=everyone
user ben age=30
follow ana ben
expect ben ana allow primary followed_by_recipient
view   ben ana allowed
reach  ana primary=ben requests=
