from cairn.engines.words import counted


def test_one_takes_the_singular_every_other_count_the_plural():
    assert counted(1, "entry", "entries") == "1 entry"
    assert counted(0, "entry", "entries") == "0 entries"
    assert counted(2, "voter", "voters") == "2 voters"
    assert counted(1204, "dot", "dots") == "1,204 dots"
