set terminal pngcairo size 900,600 noenhanced
set output 'profile.png'
set xlabel "tau (median error / the best setting's)"
set ylabel "fraction of problems within tau"
set logscale x
set key outside right
set grid
set yrange [0:1]
plot 'profile.dat' index 0 with lines lw 2 title 'candle', 'profile.dat' index 1 with lines lw 2 title 'b48', 'profile.dat' index 2 with lines lw 2 title 'b100', 'profile.dat' index 3 with lines lw 2 title 'b200', 'profile.dat' index 4 with lines lw 2 title 'b500', 'profile.dat' index 5 with lines lw 2 title 'b1000', 'profile.dat' index 6 with lines lw 2 title 'irace48', 'profile.dat' index 7 with lines lw 2 title 'random'
