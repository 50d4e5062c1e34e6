package idcheck_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/villagepost/bianmin/idcheck"
)

func ExampleCard() {
	for _, in := range []string{"6228 4804 0256 4890 018", "４１１１－１１１１－１１１１－１１１１", "6228480402564890019", "6228-4804"} {
		card, err := idcheck.Card(in)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(card, idcheck.MaskCard(card))
	}
	// Output:
	// 6228480402564890018 622848*********0018
	// 4111111111111111 411111******1111
	// card: the check digit is wrong; check the card number and type it again
	// card: a card number has 16 to 19 digits; check the card number and type it again
}

func ExampleResidentID() {
	today := time.Date(2025, 6, 15, 0, 0, 0, 0, time.Local)
	for _, in := range []string{"11010519491231002x", "110105199902300021", "11010519491231002"} {
		id, err := idcheck.ResidentID(in, today)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(id, idcheck.MaskID(id))
	}
	// Output:
	// 11010519491231002X 1101**********002X
	// id: the birth date (characters 7 to 14) is not a real date or is in the future; check the ID number and type it again
	// id: an ID number has 18 characters; check the ID number and type it again
}

func ExampleInputError_Zh() {
	_, err := idcheck.Card("6228480402564890019")
	var e *idcheck.InputError
	if errors.As(err, &e) {
		fmt.Println(e.Field, e.Rule)
		fmt.Println(e.Zh())
	}
	// Output:
	// card check_digit
	// 卡号校验位不对，请核对卡号后重新输入
}

func ExampleMaskName() {
	for _, name := range []string{"张三", "欧阳娜娜", "王"} {
		fmt.Println(idcheck.MaskName(name))
	}
	// Output:
	// 张*
	// 欧***
	// 王
}

func ExampleCardKey() {
	key := []byte("0123456789abcdef0123456789abcdef") // the station's secret card key
	a := idcheck.CardKey(key, "6228480402564890018")
	b := idcheck.CardKey(key, "6228 4804 0256 4890 018")
	fmt.Println(len(a), a == b)
	// Output:
	// 32 true
}
