package web

// ClassVocabulary exposes the classes ?class= accepts, for the test that
// keeps them equal to config.ChangeClasses.
var ClassVocabulary = classVocabulary
