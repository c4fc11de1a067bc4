from cairn.engines.dedupe import PersonKey, find_duplicates, name_similarity, normalized_name


def test_names_are_normalized():
    assert normalized_name("Lopes, Ána") == "ana lopes"
    assert name_similarity("Ana Lopes", "LOPES ana") == 1.0
    assert name_similarity("", "Ana") == 0.0


def test_same_phone_and_similar_name_at_same_postal_code():
    # given
    people = [
        PersonKey(1, "Ana Lopes", phones=["+15550100"], postal_codes=["02139"]),
        PersonKey(2, "Anna Lopes", postal_codes=["02139"]),
        PersonKey(3, "Bob Stone", phones=["+15550100"], postal_codes=["10001"]),
        PersonKey(4, "Ana Lopes", postal_codes=["99999"]),  # same name, elsewhere
        PersonKey(5, "Zed Quill", postal_codes=["02139"]),
    ]
    # when
    pairs = find_duplicates(people)
    # then
    assert [(p.a, p.b, p.reasons) for p in pairs] == [
        (1, 2, ("similar name (95%) at postal code 02139",)),
        (1, 3, ("same phone +15550100",)),
    ]


def test_a_pair_with_two_reasons_is_listed_once():
    people = [
        PersonKey("a", "Ana Lopes", phones=["1"], postal_codes=["X1"]),
        PersonKey("b", "Ana Lopes", phones=["1"], postal_codes=["x 1"]),
    ]
    [pair] = find_duplicates(people)
    assert pair.reasons == ("same phone 1", "similar name (100%) at postal code X1")
