"""The passwords people choose most often, refused when a password is set: attackers try them first.

Drawn from the published top lists (the 2011 CSDN and 2016 Weibo leaks for Chinese users, NordPass and SplashData
for the rest), kept to what the length rule (≥ 8) does not already refuse, plus a few shorter Chinese favourites.
Compared after ``casefold()`` and stripping spaces, so ``Password1`` and ``QWERTY123`` are refused too.
"""

from __future__ import annotations

__all__ = ["COMMON_PASSWORDS"]

COMMON_PASSWORDS: frozenset[str] = frozenset({
    "123456", "1234567", "5201314", "1314520", "woaini", "123456789", "12345678", "1234567890", "0123456789",
    "12345678910", "123456789a", "987654321", "87654321", "9876543210", "11111111", "111111111", "1111111111",
    "00000000", "000000000", "0000000000", "22222222", "33333333", "44444444", "55555555", "66666666", "77777777",
    "88888888", "99999999", "666666666", "888888888", "12121212", "11223344", "11112222", "12344321", "12341234",
    "123123123", "123321123", "123456123", "123654789", "147258369", "789456123", "159753258", "31415926",
    "110110110", "520520520", "5201314520", "1314520520", "52013141314", "woaini1314", "woaini520", "woaini123",
    "woaini1314520", "iloveyou1314", "woaiwojia", "wodemima", "zhangwei123", "dearbook", "xiazhili", "qq123456",
    "qq5201314", "a123456789", "a12345678", "a1234567", "aa123456", "aa12345678", "aaa123456", "abc123456",
    "abc12345678", "abcd1234", "abcd12345", "a1b2c3d4", "123456aa", "123456abc", "123456qq", "123456ab",
    "123456asd", "1234abcd", "1234qwer", "12qwaszx", "1q2w3e4r", "1q2w3e4r5t", "1qaz2wsx", "1qaz2wsx3edc",
    "1qazxsw2", "zaq12wsx", "!qaz2wsx", "q1w2e3r4", "q1w2e3r4t5", "qwer1234", "qwerty123", "qwerty1234",
    "qwerty12345", "qwertyui", "qwertyuiop", "qweasdzxc", "123qweasd", "qazwsxedc", "asdfghjkl", "asdf1234",
    "asdasdasd", "zxcvbnm123", "zxcvbnm1", "abcdefgh", "abcdefg1", "password", "password1", "password12",
    "password123", "passw0rd", "p@ssw0rd", "p@ssword", "pa$$word", "admin123", "admin1234", "admin12345",
    "admin@123", "admin888", "administrator", "root1234", "root12345", "test1234", "test12345", "aa123456789",
    "aa888888", "iloveyou", "iloveyou1", "iloveyou2", "princess", "princess1", "sunshine", "sunshine1", "football",
    "football1", "baseball", "superman", "batman123", "trustno1", "whatever", "starwars", "letmein1", "letmein123",
    "welcome1", "welcome123", "changeme", "computer", "internet", "michelle", "jennifer", "monkey123", "dragon123",
    "shadow123", "master123", "killer123", "charlie1", "jordan23", "qwe123456", "qwe12345", "qweqweqwe", "mima1234",
    "mima123456", "andian123", "andian1234", "andian2025",
})
